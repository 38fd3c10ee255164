package io.raftkv.storage;

import static io.raftkv.storage.Fixtures.DIR;
import static io.raftkv.storage.Fixtures.entries;
import static io.raftkv.storage.Fixtures.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkv.raft.Configuration;
import io.raftkv.raft.Snapshot;
import org.junit.jupiter.api.Test;

/** A full disk is an answer that loses nothing; a failed fsync stops the node. */
class DiskFailureTest {
  private final FaultyFileSystem fs = new FaultyFileSystem(3);
  private final Fixtures.RecordingFatal fatal = new Fixtures.RecordingFatal();

  /** Without preallocation a batch grows the file, so it is the write that meets the full disk. */
  @Test
  void aFullDiskRefusesTheBatchAndKeepsEverythingDurable() {
    RaftStorage storage =
        RaftStorage.open(fs, DIR, options(1 << 20, fatal).withPreallocateBytes(0));
    storage.persist(PersistBatch.entries(entries(1, 1, 10)));
    fs.capacityBytes(fs.usedBytes() + 100); // room for part of the next batch only
    assertThatThrownBy(() -> storage.persist(PersistBatch.entries(entries(1, 11, 30))))
        .isInstanceOf(DiskFullException.class)
        .hasMessageContaining("disk full");
    assertThat(storage.lastIndex()).isEqualTo(10);
    fs.capacityBytes(Long.MAX_VALUE);
    storage.persist(PersistBatch.entries(entries(1, 11, 12)));
    storage.close();
    fs.crash();
    try (RaftStorage reopened = RaftStorage.open(fs, DIR, options(1 << 20, fatal))) {
      assertThat(reopened.recovered().entries()).containsExactlyElementsOf(entries(1, 1, 12));
    }
    assertThat(fatal.errors).isEmpty();
  }

  /** With it, batches fill zeros already on disk; the next chunk is what meets the full disk. */
  @Test
  void aFullDiskRefusesTheBatchThatNeedsTheNextPreallocatedChunk() {
    RaftStorage storage =
        RaftStorage.open(fs, DIR, options(1 << 20, fatal).withPreallocateBytes(4096));
    fs.capacityBytes(fs.usedBytes() + 100);
    long index = 1;
    DiskFullException refusal = null;
    while (refusal == null && index < 1000) {
      try {
        storage.persist(PersistBatch.entries(entries(1, index, index)));
        index++;
      } catch (DiskFullException e) {
        refusal = e;
      }
    }
    assertThat(refusal).isNotNull().hasMessageContaining("preallocating");
    assertThat(index).as("batches that fit the first chunk were written").isGreaterThan(10);
    assertThat(storage.lastIndex()).isEqualTo(index - 1);
    long refused = index;
    fs.capacityBytes(Long.MAX_VALUE);
    storage.persist(PersistBatch.entries(entries(1, refused, refused)));
    storage.close();
    fs.crash();
    try (RaftStorage reopened = RaftStorage.open(fs, DIR, options(1 << 20, fatal))) {
      assertThat(reopened.recovered().entries()).containsExactlyElementsOf(entries(1, 1, refused));
    }
    assertThat(fatal.errors).isEmpty();
  }

  @Test
  void aFullDiskWhileRollingASegmentLosesNothing() throws Exception {
    RaftStorage storage = RaftStorage.open(fs, DIR, options(1024, fatal).withPreallocateBytes(0));
    long index = 1;
    while (fs.list(Fixtures.WAL_DIR).size() < 2) {
      storage.persist(PersistBatch.entries(entries(1, index, index)));
      index++;
    }
    while (true) { // fill the second segment to its limit, then fill the disk
      storage.persist(PersistBatch.entries(entries(1, index, index)));
      index++;
      if (fs.bytes(Fixtures.WAL_DIR.resolve(WalRecovery.segmentName(2))).length >= 1024) {
        break;
      }
    }
    fs.capacityBytes(fs.usedBytes() + 10);
    long refused = index;
    assertThatThrownBy(() -> storage.persist(PersistBatch.entries(entries(1, refused, refused))))
        .isInstanceOf(DiskFullException.class);
    assertThat(fs.list(Fixtures.WAL_DIR)).hasSize(2);
    fs.capacityBytes(Long.MAX_VALUE);
    storage.persist(PersistBatch.entries(entries(1, refused, refused)));
    storage.close();
    try (RaftStorage reopened =
        RaftStorage.open(fs, DIR, options(1024, fatal).withPreallocateBytes(0))) {
      assertThat(reopened.recovered().entries()).containsExactlyElementsOf(entries(1, 1, refused));
    }
  }

  @Test
  void aFullDiskRefusesASnapshotAndLeavesNoTempFile() throws Exception {
    try (RaftStorage storage = RaftStorage.open(fs, DIR, options(1 << 20, fatal))) {
      storage.persist(PersistBatch.entries(entries(1, 1, 10)));
      fs.capacityBytes(fs.usedBytes() + 1000);
      assertThatThrownBy(
              () -> storage.compact(new Snapshot(5, 1, Configuration.ofIds(1), new byte[10_000])))
          .isInstanceOf(DiskFullException.class);
      assertThat(fs.list(Fixtures.SNAP_DIR)).isEmpty();
      assertThat(storage.snapshotIndex()).isZero();
    }
  }

  @Test
  void aFailedFsyncIsFatalAndEveryLaterCallFails() {
    RaftStorage storage = RaftStorage.open(fs, DIR, options(1 << 20, fatal));
    storage.persist(PersistBatch.entries(entries(1, 1, 3)));
    fs.failNextSyncs(1);
    assertThatThrownBy(() -> storage.persist(PersistBatch.entries(entries(1, 4, 5))))
        .isInstanceOf(FatalDiskError.class)
        .hasMessageContaining("fsync");
    assertThat(fatal.errors).hasSize(1);
    // No retry and carry on: the kernel may have dropped the pages the failed fsync covered.
    assertThatThrownBy(() -> storage.persist(PersistBatch.entries(entries(1, 4, 5))))
        .isSameAs(fatal.errors.get(0));
    fs.crash();
    try (RaftStorage reopened = RaftStorage.open(fs, DIR, options(1 << 20, fatal))) {
      assertThat(reopened.recovered().entries())
          .startsWith(entries(1, 1, 3).toArray(new io.raftkv.raft.Entry[0]));
    }
  }

  @Test
  void aFailedSnapshotFsyncIsFatal() {
    try (RaftStorage storage = RaftStorage.open(fs, DIR, options(1 << 20, fatal))) {
      storage.persist(PersistBatch.entries(entries(1, 1, 10)));
      fs.failNextSyncs(1);
      assertThatThrownBy(
              () -> storage.compact(new Snapshot(5, 1, Configuration.ofIds(1), new byte[10])))
          .isInstanceOf(FatalDiskError.class);
      assertThat(fatal.errors).hasSize(1);
    }
  }
}
