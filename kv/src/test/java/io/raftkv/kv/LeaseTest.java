package io.raftkv.kv;

import static io.raftkv.kv.Fixture.b;
import static io.raftkv.kv.Fixture.error;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** etcd's Lease service: grant, attach, revoke, keep-alive and time-to-live. */
class LeaseTest {
  private static final long SECOND = 1_000_000_000L;
  private final Fixture f = new Fixture();

  @Test
  void grantChoosesIdsDeterministicallyAndRaisesShortTtls() {
    LeaseGrantResponse first = (LeaseGrantResponse) f.apply(new LeaseGrantRequest(0, 1));
    assertThat(first.id()).isEqualTo(1);
    assertThat(first.ttlSeconds()).isEqualTo(KvLimits.defaults().leaseTtlMinSeconds());
    f.apply(new LeaseGrantRequest(5, 10));
    assertThat(((LeaseGrantResponse) f.apply(new LeaseGrantRequest(0, 10))).id()).isEqualTo(6);
    assertThat(error(f.apply(new LeaseGrantRequest(5, 10)))).isEqualTo(KvErrorCode.LEASE_EXISTS);
    assertThat(error(f.apply(new LeaseGrantRequest(9, 9_000_000_001L))))
        .isEqualTo(KvErrorCode.LEASE_TTL_TOO_LARGE);
    assertThat(f.store.revision()).as("grants are no write revision").isEqualTo(1);
  }

  @Test
  void revokeDeletesAttachedKeysInOneRevision() {
    long lease = f.grant(10);
    f.apply(PutRequest.of(b("a"), b("1")).withLease(lease));
    f.apply(PutRequest.of(b("b"), b("1")).withLease(lease));
    f.put("c", "1");
    assertThat(f.store.lease(lease).orElseThrow().keys()).containsExactly(b("a"), b("b"));
    LeaseRevokeResponse r = (LeaseRevokeResponse) f.apply(new LeaseRevokeRequest(lease));
    assertThat(r.revision()).isEqualTo(5);
    assertThat(f.get("a")).isNull();
    assertThat(f.get("b")).isNull();
    assertThat(f.get("c")).isEqualTo("1");
    assertThat(f.store.lease(lease)).isEmpty();
    assertThat(error(f.apply(new LeaseRevokeRequest(lease))))
        .isEqualTo(KvErrorCode.LEASE_NOT_FOUND);
  }

  @Test
  void rewritingOrDeletingAKeyDetachesIt() {
    long lease = f.grant(10);
    f.apply(PutRequest.of(b("a"), b("1")).withLease(lease));
    f.apply(PutRequest.of(b("b"), b("1")).withLease(lease));
    f.put("a", "2");
    f.delete("b");
    assertThat(f.store.lease(lease).orElseThrow().keys()).isEmpty();
    f.apply(new LeaseRevokeRequest(lease));
    assertThat(f.get("a")).isEqualTo("2");
  }

  @Test
  void revokingALeaseWithoutKeysIsNoRevision() {
    long lease = f.grant(10);
    f.apply(new LeaseRevokeRequest(lease));
    assertThat(f.store.revision()).isEqualTo(1);
  }

  @Test
  void deadlinesComeFromTheCallersClock() {
    long lease = f.grant(10);
    LeaseDeadlines deadlines = new LeaseDeadlines(f.store);
    deadlines.promote(0);
    assertThat(deadlines.expired(9 * SECOND, 10)).isEmpty();
    assertThat(deadlines.timeToLive(lease, false, 9 * SECOND).remainingSeconds()).isEqualTo(1);
    assertThat(deadlines.keepAlive(lease, 9 * SECOND)).isEqualTo(10);
    assertThat(deadlines.expired(18 * SECOND, 10)).isEmpty();
    assertThat(deadlines.expired(19 * SECOND, 10)).containsExactly(lease);
    f.apply(new LeaseRevokeRequest(lease));
    assertThat(deadlines.expired(30 * SECOND, 10)).isEmpty();
    assertThatThrownBy(() -> deadlines.keepAlive(lease, 30 * SECOND))
        .isInstanceOfSatisfying(
            KvException.class, e -> assertThat(e.code()).isEqualTo(KvErrorCode.LEASE_NOT_FOUND));
  }

  @Test
  void expiredListsSoonestFirstAndPromoteGivesAFullTtl() {
    long shortLease = f.grant(5);
    long longLease = f.grant(8);
    f.apply(PutRequest.of(b("k"), b("v")).withLease(longLease));
    LeaseDeadlines deadlines = new LeaseDeadlines(f.store);
    deadlines.promote(0);
    assertThat(deadlines.expired(100 * SECOND, 10)).containsExactly(shortLease, longLease);
    assertThat(deadlines.expired(100 * SECOND, 1)).containsExactly(shortLease);
    deadlines.promote(100 * SECOND);
    assertThat(deadlines.expired(104 * SECOND, 10)).isEmpty();
    LeaseTimeToLive ttl = deadlines.timeToLive(longLease, true, 104 * SECOND);
    assertThat(ttl.remainingSeconds()).isEqualTo(4);
    assertThat(ttl.grantedSeconds()).isEqualTo(8);
    assertThat(ttl.keys()).isEqualTo(List.of(b("k")));
  }
}
