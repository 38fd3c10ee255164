package io.raftkv.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** HashKV over a snapshot: equal for equal histories, whatever else the stores applied. */
class KvSnapshotHashTest {
  private static int hashAt(KvStore store, long revision) {
    try (KvSnapshot image = store.snapshot()) {
      return image.hashKv(revision);
    }
  }

  private static KvStore storeWithHistory() {
    KvStore store = new KvStore(KvLimits.defaults());
    store.apply(1, Command.of(PutRequest.of(Bytes.utf8("a"), Bytes.utf8("1"))));
    store.apply(2, Command.of(PutRequest.of(Bytes.utf8("b"), Bytes.utf8("2"))));
    store.apply(3, Command.of(DeleteRangeRequest.of(Bytes.utf8("a"))));
    return store;
  }

  @Test
  void equalHistoriesHashEqualDespiteLeaseGrantsAndLaterWrites() {
    KvStore one = storeWithHistory();
    KvStore other = storeWithHistory();
    other.apply(4, Command.of(new LeaseGrantRequest(7, 60)));
    long revision = one.revision();
    other.apply(5, Command.of(PutRequest.of(Bytes.utf8("c"), Bytes.utf8("3"))));
    assertThat(hashAt(other, revision)).isEqualTo(hashAt(one, revision));
    assertThat(hashAt(other, other.revision())).isNotEqualTo(hashAt(one, revision));
  }

  @Test
  void aDifferentValueOrCompactionChangesTheHash() {
    KvStore one = storeWithHistory();
    KvStore other = new KvStore(KvLimits.defaults());
    other.apply(1, Command.of(PutRequest.of(Bytes.utf8("a"), Bytes.utf8("1"))));
    other.apply(2, Command.of(PutRequest.of(Bytes.utf8("b"), Bytes.utf8("X"))));
    other.apply(3, Command.of(DeleteRangeRequest.of(Bytes.utf8("a"))));
    assertThat(hashAt(other, other.revision())).isNotEqualTo(hashAt(one, one.revision()));
    KvStore compacted = storeWithHistory();
    compacted.apply(4, Command.of(new CompactRequest(3)));
    assertThat(hashAt(compacted, 4)).isNotEqualTo(hashAt(one, 4));
  }

  @Test
  void revisionsOutsideTheImageAreRefused() {
    KvStore store = storeWithHistory();
    try (KvSnapshot image = store.snapshot()) {
      assertThatThrownBy(() -> image.hashKv(store.revision() + 1))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
