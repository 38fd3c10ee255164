package io.raftkv.kv;

import static io.raftkv.kv.Fixture.b;
import static io.raftkv.kv.Fixture.error;
import static io.raftkv.kv.Fixture.keys;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkv.kv.RangeRequest.SortOrder;
import io.raftkv.kv.RangeRequest.SortTarget;
import java.util.List;
import org.junit.jupiter.api.Test;

/** etcd's KV.Put, KV.Range and KV.DeleteRange, as its API reference describes them. */
class PutRangeDeleteTest {
  private final Fixture f = new Fixture();

  @Test
  void revisionStartsAtOneAndEachPutAddsOne() {
    assertThat(f.store.revision()).isEqualTo(1);
    assertThat(f.put("a", "1").revision()).isEqualTo(2);
    assertThat(f.put("b", "1").revision()).isEqualTo(3);
  }

  @Test
  void versionCountsWritesAndRestartsAfterDelete() {
    f.put("a", "1");
    f.put("a", "2");
    KeyValue kv = f.kv("a");
    assertThat(kv.version()).isEqualTo(2);
    assertThat(kv.createRevision()).isEqualTo(2);
    assertThat(kv.modRevision()).isEqualTo(3);
    f.delete("a");
    f.put("a", "3");
    kv = f.kv("a");
    assertThat(kv.version()).isEqualTo(1);
    assertThat(kv.createRevision()).isEqualTo(5);
  }

  @Test
  void prevKvReturnsTheReplacedVersion() {
    f.put("a", "1");
    PutResponse r = (PutResponse) f.apply(PutRequest.of(b("a"), b("2")).withPrevKv());
    assertThat(r.prevKv()).get().extracting(kv -> kv.value().toStringUtf8()).isEqualTo("1");
    PutResponse fresh = (PutResponse) f.apply(PutRequest.of(b("new"), b("x")).withPrevKv());
    assertThat(fresh.prevKv()).isEmpty();
  }

  @Test
  void ignoreValueKeepsValueAndIgnoreLeaseKeepsLease() {
    long lease = f.grant(10);
    f.apply(PutRequest.of(b("a"), b("v")).withLease(lease));
    f.apply(new PutRequest(b("a"), Bytes.empty(), 0, false, true, true));
    KeyValue kv = f.kv("a");
    assertThat(kv.value().toStringUtf8()).isEqualTo("v");
    assertThat(kv.lease()).isEqualTo(lease);
    assertThat(kv.version()).isEqualTo(2);
  }

  @Test
  void ignoreFlagsRefuseWhatEtcdRefuses() {
    assertThat(error(f.apply(new PutRequest(b("a"), Bytes.empty(), 0, false, true, false))))
        .isEqualTo(KvErrorCode.KEY_NOT_FOUND);
    f.put("a", "1");
    assertThat(error(f.apply(new PutRequest(b("a"), b("x"), 0, false, true, false))))
        .isEqualTo(KvErrorCode.VALUE_PROVIDED);
    assertThat(error(f.apply(new PutRequest(b("a"), b("x"), 7, false, false, true))))
        .isEqualTo(KvErrorCode.LEASE_PROVIDED);
    assertThat(f.store.revision()).isEqualTo(2);
  }

  @Test
  void putOnUnknownLeaseIsRefusedAndChangesNothing() {
    Response r = f.apply(PutRequest.of(b("a"), b("1")).withLease(99));
    assertThat(error(r)).isEqualTo(KvErrorCode.LEASE_NOT_FOUND);
    assertThat(f.get("a")).isNull();
    assertThat(f.store.revision()).isEqualTo(1);
  }

  @Test
  void emptyKeyAndOversizedValueAreRefused() {
    assertThat(error(f.apply(PutRequest.of(Bytes.empty(), b("1")))))
        .isEqualTo(KvErrorCode.EMPTY_KEY);
    byte[] big = new byte[KvLimits.defaults().requestBytesMax()];
    assertThat(error(f.apply(PutRequest.of(b("k"), Bytes.copyOf(big)))))
        .isEqualTo(KvErrorCode.REQUEST_TOO_LARGE);
    assertThat(f.store.revision()).isEqualTo(1);
    assertThat(f.store.keyCount()).isZero();
  }

  @Test
  void rangeEndConventions() {
    for (String k : List.of("a", "ab", "abc", "b", "c")) {
      f.put(k, k);
    }
    assertThat(keys(f.store.range(RangeRequest.of(b("ab"))))).containsExactly("ab");
    assertThat(keys(f.store.range(RangeRequest.range(b("ab"), b("b")))))
        .containsExactly("ab", "abc");
    assertThat(keys(f.store.range(RangeRequest.range(b("ab"), Bytes.copyOf(new byte[] {0})))))
        .containsExactly("ab", "abc", "b", "c");
    assertThat(keys(f.store.range(RangeRequest.prefix(b("a"))))).containsExactly("a", "ab", "abc");
    // etcd reads nothing, without an error, when range_end <= key.
    RangeResponse backwards = f.store.range(RangeRequest.range(b("c"), b("a")));
    assertThat(backwards.kvs()).isEmpty();
    assertThat(backwards.count()).isZero();
  }

  @Test
  void prefixOfAllFfBytesMeansEveryKeyFromIt() {
    assertThat(KeyRange.prefixEnd(Bytes.copyOf(new byte[] {(byte) 0xff})))
        .isEqualTo(Bytes.copyOf(new byte[] {0}));
    assertThat(KeyRange.prefixEnd(Bytes.copyOf(new byte[] {'a', (byte) 0xff}))).isEqualTo(b("b"));
  }

  @Test
  void limitSetsMoreAndCountIsTheWholeRange() {
    for (String k : List.of("a", "b", "c", "d")) {
      f.put(k, k);
    }
    Bytes everyKey = Bytes.copyOf(new byte[] {0});
    RangeResponse r = f.store.range(RangeRequest.range(b("a"), everyKey).withLimit(2));
    assertThat(keys(r)).containsExactly("a", "b");
    assertThat(r.more()).isTrue();
    assertThat(r.count()).isEqualTo(4);
    RangeResponse exact = f.store.range(RangeRequest.range(b("a"), b("e")).withLimit(4));
    assertThat(exact.more()).isFalse();
  }

  @Test
  void countOnlyAndKeysOnly() {
    f.put("a", "1");
    f.put("b", "2");
    RangeResponse count = f.store.range(RangeRequest.range(b("a"), b("z")).withCountOnly());
    assertThat(count.kvs()).isEmpty();
    assertThat(count.count()).isEqualTo(2);
    RangeResponse keysOnly = f.store.range(RangeRequest.range(b("a"), b("z")).withKeysOnly());
    assertThat(keysOnly.kvs()).allSatisfy(kv -> assertThat(kv.value().isEmpty()).isTrue());
    assertThat(keysOnly.kvs().get(1).modRevision()).isEqualTo(3);
  }

  @Test
  void sortByTargetsAndOrders() {
    f.put("a", "3");
    f.put("b", "1");
    f.put("c", "2");
    f.put("b", "1");
    RangeRequest all = RangeRequest.range(b("a"), b("z"));
    assertThat(keys(f.store.range(all.sorted(SortOrder.DESCEND, SortTarget.KEY))))
        .containsExactly("c", "b", "a");
    assertThat(keys(f.store.range(all.sorted(SortOrder.ASCEND, SortTarget.VALUE))))
        .containsExactly("b", "c", "a");
    // No order with a non-key target sorts ascending, as etcd does.
    assertThat(keys(f.store.range(all.sorted(SortOrder.NONE, SortTarget.MOD))))
        .containsExactly("a", "c", "b");
    assertThat(keys(f.store.range(all.sorted(SortOrder.DESCEND, SortTarget.VERSION))))
        .containsExactly("b", "a", "c");
    assertThat(keys(f.store.range(all.sorted(SortOrder.DESCEND, SortTarget.CREATE).withLimit(1))))
        .containsExactly("c");
  }

  @Test
  void modAndCreateRevisionFiltersApplyAfterCounting() {
    f.put("a", "1"); // rev 2
    f.put("b", "1"); // rev 3
    f.put("a", "2"); // rev 4
    RangeRequest all = RangeRequest.range(b("a"), b("z"));
    RangeResponse r = f.store.range(all.withModRevisions(4, 0));
    assertThat(keys(r)).containsExactly("a");
    assertThat(r.count()).isEqualTo(2);
    assertThat(keys(f.store.range(all.withModRevisions(0, 3)))).containsExactly("b");
    assertThat(keys(f.store.range(all.withCreateRevisions(3, 0)))).containsExactly("b");
    assertThat(keys(f.store.range(all.withCreateRevisions(0, 2)))).containsExactly("a");
  }

  @Test
  void readsAtOldRevisionsSeeThatRevision() {
    f.put("a", "1");
    f.put("a", "2");
    f.delete("a");
    assertThat(f.store.range(RangeRequest.of(b("a")).atRevision(2)).kvs().get(0).value())
        .isEqualTo(b("1"));
    assertThat(f.store.range(RangeRequest.of(b("a")).atRevision(3)).kvs().get(0).value())
        .isEqualTo(b("2"));
    assertThat(f.store.range(RangeRequest.of(b("a")).atRevision(4)).kvs()).isEmpty();
    assertThat(f.store.range(RangeRequest.of(b("a")).atRevision(1)).kvs()).isEmpty();
    assertThat(f.store.range(RangeRequest.of(b("a")).atRevision(2)).revision()).isEqualTo(4);
  }

  @Test
  void futureRevisionAndNegativeLimitAreErrors() {
    f.put("a", "1");
    assertThatThrownBy(() -> f.store.range(RangeRequest.of(b("a")).atRevision(3)))
        .isInstanceOfSatisfying(
            KvException.class, e -> assertThat(e.code()).isEqualTo(KvErrorCode.FUTURE_REVISION))
        .hasMessageContaining("mvcc: required revision is a future revision");
    assertThatThrownBy(() -> f.store.range(RangeRequest.of(b("a")).withLimit(-1)))
        .isInstanceOfSatisfying(
            KvException.class, e -> assertThat(e.code()).isEqualTo(KvErrorCode.INVALID_ARGUMENT));
    assertThatThrownBy(() -> f.store.range(RangeRequest.of(Bytes.empty())))
        .isInstanceOfSatisfying(
            KvException.class, e -> assertThat(e.code()).isEqualTo(KvErrorCode.EMPTY_KEY));
  }

  @Test
  void deleteRangeCountsAndReturnsPrevKvsInOneRevision() {
    f.put("a", "1");
    f.put("b", "2");
    f.put("c", "3");
    DeleteRangeResponse r =
        (DeleteRangeResponse) f.apply(DeleteRangeRequest.range(b("a"), b("c")).withPrevKv());
    assertThat(r.deleted()).isEqualTo(2);
    assertThat(r.prevKvs()).extracting(kv -> kv.key().toStringUtf8()).containsExactly("a", "b");
    assertThat(r.revision()).isEqualTo(5);
    assertThat(keys(f.store.range(RangeRequest.range(b("a"), b("z"))))).containsExactly("c");
  }

  @Test
  void deletingNothingDoesNotAdvanceTheRevision() {
    f.put("a", "1");
    DeleteRangeResponse r = f.delete("zzz");
    assertThat(r.deleted()).isZero();
    assertThat(r.revision()).isEqualTo(2);
    assertThat(f.store.revision()).isEqualTo(2);
  }
}
