package io.raftkv.kv;

import static io.raftkv.kv.Fixture.b;
import static io.raftkv.kv.Fixture.error;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** etcd's KV.Compact and what it does to older reads. */
class CompactionTest {
  private final Fixture f = new Fixture();

  @Test
  void readsBelowTheCompactRevisionFailAndAtItStillWork() {
    f.put("a", "1"); // 2
    f.put("a", "2"); // 3
    f.put("b", "1"); // 4
    f.delete("b"); // 5
    f.apply(new CompactRequest(4));
    assertThatThrownBy(() -> f.store.range(RangeRequest.of(b("a")).atRevision(3)))
        .isInstanceOfSatisfying(
            KvException.class, e -> assertThat(e.code()).isEqualTo(KvErrorCode.COMPACTED))
        .hasMessageContaining("mvcc: required revision has been compacted");
    assertThat(f.store.range(RangeRequest.of(b("a")).atRevision(4)).kvs().get(0).value())
        .isEqualTo(b("2"));
    assertThat(f.store.range(RangeRequest.of(b("b")).atRevision(4)).kvs()).hasSize(1);
    assertThat(f.store.range(RangeRequest.of(b("b"))).kvs()).isEmpty();
  }

  @Test
  void compactingTwiceOrIntoTheFutureIsRefused() {
    f.put("a", "1");
    f.put("a", "2");
    f.apply(new CompactRequest(2));
    assertThat(error(f.apply(new CompactRequest(2)))).isEqualTo(KvErrorCode.COMPACTED);
    assertThat(error(f.apply(new CompactRequest(4)))).isEqualTo(KvErrorCode.FUTURE_REVISION);
    assertThat(f.store.compactRevision()).isEqualTo(2);
  }

  @Test
  void physicalCompactionDropsDeletedKeysAndOldVersions() {
    f.put("a", "1");
    f.put("a", "2");
    f.put("b", "1");
    f.delete("b");
    assertThat(f.store.keyCount()).isEqualTo(2);
    f.apply(new CompactRequest(f.store.revision()));
    assertThat(f.store.keyCount()).as("a deletion at the compact revision is kept").isEqualTo(2);
    f.put("c", "1");
    f.apply(new CompactRequest(f.store.revision()));
    assertThat(f.store.keyCount()).isEqualTo(2);
    assertThat(f.store.range(RangeRequest.range(b("a"), b("z"))).count()).isEqualTo(2);
  }

  @Test
  void aWatchAtTheCompactRevisionStillSeesTheDeletionMadeThere() {
    f.put("b", "1");
    f.delete("b");
    f.apply(new CompactRequest(f.store.revision()));
    Watch w = f.store.watch(WatchRequest.key(b("b")).from(f.store.revision()), WatchListener.NONE);
    assertThat(w.poll(10).events()).extracting(Event::type).containsExactly(Event.Type.DELETE);
  }

  @Test
  void compactionWaitsForOpenSnapshotsButReadsAreRefusedAtOnce() {
    f.put("b", "1");
    f.delete("b");
    f.put("c", "1");
    KvSnapshot snapshot = f.store.snapshot();
    f.apply(new CompactRequest(f.store.revision()));
    assertThat(f.store.keyCount()).as("pinned by the snapshot").isEqualTo(2);
    assertThatThrownBy(() -> f.store.range(RangeRequest.of(b("b")).atRevision(2)))
        .isInstanceOf(KvException.class);
    snapshot.close();
    f.put("d", "1");
    assertThat(f.store.keyCount()).isEqualTo(2);
  }

  @Test
  void compactedVersionsKeepTheirCreateRevisionAndVersion() {
    f.put("a", "1");
    f.put("a", "2");
    f.put("a", "3");
    f.apply(new CompactRequest(4));
    KeyValue kv = f.kv("a");
    assertThat(kv.createRevision()).isEqualTo(2);
    assertThat(kv.version()).isEqualTo(3);
    f.put("a", "4");
    assertThat(f.kv("a").version()).isEqualTo(4);
  }
}
