package io.raftkv.kv;

import static io.raftkv.kv.Fixture.b;
import static io.raftkv.kv.Fixture.error;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Exactly-once writes through client sessions (Raft thesis §6.3). */
class SessionTest {
  private final Fixture f = new Fixture();

  private long open() {
    return ((SessionOpenResponse) f.apply(new SessionOpenRequest())).clientId();
  }

  @Test
  void aRetriedSequenceGetsTheStoredAnswerAndIsNotAppliedAgain() {
    long client = open();
    Response first = f.applyInSession(client, 1, PutRequest.of(b("a"), b("1")));
    Response retry = f.applyInSession(client, 1, PutRequest.of(b("a"), b("1")));
    assertThat(retry).isEqualTo(first);
    assertThat(f.kv("a").version()).isEqualTo(1);
    assertThat(f.store.revision()).isEqualTo(2);
  }

  @Test
  void errorsAreStoredAnswersToo() {
    long client = open();
    Response first = f.applyInSession(client, 1, PutRequest.of(b("a"), b("1")).withLease(9));
    f.apply(new LeaseGrantRequest(9, 10));
    Response retry = f.applyInSession(client, 1, PutRequest.of(b("a"), b("1")).withLease(9));
    assertThat(error(retry)).isEqualTo(KvErrorCode.LEASE_NOT_FOUND);
    assertThat(retry).isEqualTo(first);
    assertThat(f.get("a")).isNull();
  }

  @Test
  void anOlderSequenceIsStaleAndAnUnknownSessionExpired() {
    long client = open();
    f.applyInSession(client, 1, PutRequest.of(b("a"), b("1")));
    f.applyInSession(client, 2, PutRequest.of(b("a"), b("2")));
    assertThat(error(f.applyInSession(client, 1, PutRequest.of(b("a"), b("1")))))
        .isEqualTo(KvErrorCode.SESSION_SEQUENCE_STALE);
    assertThat(error(f.applyInSession(777, 1, PutRequest.of(b("a"), b("3")))))
        .isEqualTo(KvErrorCode.SESSION_EXPIRED);
    assertThat(f.get("a")).isEqualTo("2");
  }

  @Test
  void theLeastRecentlyWrittenSessionExpiresFirst() {
    KvLimits two = new KvLimits(1 << 20, 128, 16, 2, 2, 100);
    Fixture small = new Fixture(two);
    long a = ((SessionOpenResponse) small.apply(new SessionOpenRequest())).clientId();
    long b = ((SessionOpenResponse) small.apply(new SessionOpenRequest())).clientId();
    small.applyInSession(a, 1, PutRequest.of(b("x"), b("1")));
    long c = ((SessionOpenResponse) small.apply(new SessionOpenRequest())).clientId();
    assertThat(error(small.applyInSession(b, 1, PutRequest.of(b("y"), b("1")))))
        .isEqualTo(KvErrorCode.SESSION_EXPIRED);
    assertThat(small.applyInSession(a, 2, PutRequest.of(b("y"), b("1"))))
        .isInstanceOf(PutResponse.class);
    assertThat(small.applyInSession(c, 1, PutRequest.of(b("z"), b("1"))))
        .isInstanceOf(PutResponse.class);
  }

  @Test
  void sessionIdIsTheLogIndexOfTheOpen() {
    f.put("a", "1");
    long expected = f.nextIndex();
    assertThat(open()).isEqualTo(expected);
  }
}
