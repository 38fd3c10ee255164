package io.raftkv.storage;

import static io.raftkv.storage.Fixtures.DIR;
import static io.raftkv.storage.Fixtures.entries;
import static io.raftkv.storage.Fixtures.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkv.raft.Configuration;
import io.raftkv.raft.Snapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class GroupCommitLogTest {
  private final FaultyFileSystem fs = new FaultyFileSystem(11);
  private final Fixtures.RecordingFatal fatal = new Fixtures.RecordingFatal();

  @Test
  void appendsArrivingDuringAnFsyncShareTheNextOne() throws Exception {
    RaftStorage storage = RaftStorage.open(fs, DIR, options(1 << 20, fatal));
    GroupCommitLog log = new GroupCommitLog(storage, 1000, 1 << 20);
    List<CompletableFuture<Void>> futures = new ArrayList<>();
    // Holding the disk's lock stalls the WAL thread inside its first write, as a slow fsync
    // would; everything submitted meanwhile must go out together in the next batch.
    synchronized (fs) {
      for (long i = 1; i <= 200; i++) {
        futures.add(log.submit(PersistBatch.entries(entries(1, i, i))));
      }
    }
    CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get();
    assertThat(log.batchCount()).isBetween(1L, 2L);
    log.close();
    storage.close();
    fs.crash();
    try (RaftStorage reopened = RaftStorage.open(fs, DIR, options(1 << 20, fatal))) {
      assertThat(reopened.recovered().entries()).containsExactlyElementsOf(entries(1, 1, 200));
    }
  }

  @Test
  void futuresCompleteInSubmissionOrderThroughACompaction() throws Exception {
    try (RaftStorage storage = RaftStorage.open(fs, DIR, options(1 << 20, fatal))) {
      GroupCommitLog log = new GroupCommitLog(storage, 1000, 1 << 20);
      List<CompletableFuture<Void>> futures = new ArrayList<>();
      synchronized (fs) {
        for (long i = 1; i <= 50; i++) {
          futures.add(log.submit(PersistBatch.entries(entries(1, i, i))));
        }
      }
      // Completions run on their own thread; a compaction queued behind the appends must still
      // not report done before every append ahead of it has.
      CompletableFuture<Void> compacted =
          log.compact(new Snapshot(40, 1, Configuration.ofIds(1), new byte[] {1}));
      compacted
          .thenRun(
              () -> assertThat(futures).allMatch(f -> f.isDone() && !f.isCompletedExceptionally()))
          .get();
      log.close();
      assertThat(storage.snapshotIndex()).isEqualTo(40);
    }
  }

  @Test
  void aRefusedBatchFailsOnlyItsOwnFuture() throws Exception {
    try (RaftStorage storage = RaftStorage.open(fs, DIR, options(1 << 20, fatal))) {
      GroupCommitLog log = new GroupCommitLog(storage, 10, 1 << 20);
      log.submit(PersistBatch.entries(entries(1, 1, 2))).get();
      CompletableFuture<Void> gap = log.submit(PersistBatch.entries(entries(1, 5, 5)));
      CompletableFuture<Void> good = log.submit(PersistBatch.entries(entries(1, 3, 3)));
      assertThatThrownBy(gap::get).hasCauseInstanceOf(IllegalArgumentException.class);
      good.get();
      log.close();
      assertThat(storage.lastIndex()).isEqualTo(3);
    }
  }

  @Test
  void aFailedFsyncFailsEveryPendingAndLaterAppend() throws Exception {
    try (RaftStorage storage = RaftStorage.open(fs, DIR, options(1 << 20, fatal))) {
      GroupCommitLog log = new GroupCommitLog(storage, 10, 1 << 20);
      log.submit(PersistBatch.entries(entries(1, 1, 2))).get();
      fs.failNextSyncs(1);
      CompletableFuture<Void> failed = log.submit(PersistBatch.entries(entries(1, 3, 3)));
      assertThatThrownBy(failed::get)
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(FatalDiskError.class);
      assertThat(fatal.errors).hasSize(1);
      assertThatThrownBy(() -> log.submit(PersistBatch.entries(entries(1, 3, 3))).get())
          .hasCauseInstanceOf(FatalDiskError.class);
      log.close();
    }
  }

  @Test
  void aFullQueueAnswersOverloadedAtOnce() throws Exception {
    try (RaftStorage storage = RaftStorage.open(fs, DIR, options(1 << 20, fatal))) {
      GroupCommitLog log = new GroupCommitLog(storage, 4, 1 << 20);
      List<CompletableFuture<Void>> futures = new ArrayList<>();
      synchronized (fs) {
        for (long i = 1; i <= 10; i++) {
          futures.add(log.submit(PersistBatch.entries(entries(1, i, i))));
        }
      }
      long overloaded =
          futures.stream()
              .filter(
                  f -> {
                    try {
                      f.get();
                      return false;
                    } catch (Exception e) {
                      return e.getCause() instanceof OverloadedException;
                    }
                  })
              .count();
      assertThat(overloaded).isGreaterThan(0);
      log.close();
    }
  }

  @Test
  void batchesSubmittedBehindACompactionAreStagedAfterItsMarker() throws Exception {
    try (RaftStorage storage = RaftStorage.open(fs, DIR, options(1 << 20, fatal))) {
      GroupCommitLog log = new GroupCommitLog(storage, 1000, 1 << 20);
      List<CompletableFuture<Void>> futures = new ArrayList<>();
      CompletableFuture<Void> compacted;
      synchronized (fs) {
        for (long i = 1; i <= 50; i++) {
          futures.add(log.submit(PersistBatch.entries(entries(1, i, i))));
        }
        compacted = log.compact(new Snapshot(40, 1, Configuration.ofIds(1), new byte[] {1}));
        for (long i = 51; i <= 60; i++) {
          futures.add(log.submit(PersistBatch.entries(entries(1, i, i))));
        }
      }
      CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get();
      assertThat(compacted).isCompleted();
      log.close();
      assertThat(storage.snapshotIndex()).isEqualTo(40);
      assertThat(storage.lastIndex()).isEqualTo(60);
    }
    fs.crash();
    try (RaftStorage reopened = RaftStorage.open(fs, DIR, options(1 << 20, fatal))) {
      assertThat(reopened.recovered().entries()).containsExactlyElementsOf(entries(1, 41, 60));
    }
  }

  @Test
  void aGroupRefusedForAFullDiskTakesWhatWasStagedBehindItAndKeepsWhatWasDurable()
      throws Exception {
    try (RaftStorage storage =
        RaftStorage.open(fs, DIR, options(1 << 20, fatal).withPreallocateBytes(0))) {
      GroupCommitLog log = new GroupCommitLog(storage, 1000, 1 << 20);
      log.submit(PersistBatch.entries(entries(1, 1, 5))).get();
      fs.capacityBytes(fs.usedBytes() + 100);
      CompletableFuture<Void> refused;
      CompletableFuture<Void> behind;
      synchronized (fs) {
        refused = log.submit(PersistBatch.entries(entries(1, 6, 10)));
        behind = log.submit(PersistBatch.entries(entries(1, 11, 12)));
      }
      assertThatThrownBy(refused::get).hasCauseInstanceOf(DiskFullException.class);
      assertThatThrownBy(behind::get).hasCauseInstanceOf(DiskFullException.class);
      fs.capacityBytes(Long.MAX_VALUE);
      // The log goes on from what was durable, as a leader retrying would.
      log.submit(PersistBatch.entries(entries(2, 6, 7))).get();
      log.close();
    }
    fs.crash();
    try (RaftStorage reopened = RaftStorage.open(fs, DIR, options(1 << 20, fatal))) {
      List<io.raftkv.raft.Entry> expected = new ArrayList<>(entries(1, 1, 5));
      expected.addAll(entries(2, 6, 7));
      assertThat(reopened.recovered().entries()).containsExactlyElementsOf(expected);
    }
  }

  @Test
  void closeMakesEverythingSubmittedDurableAndThenRefusesMore() throws Exception {
    try (RaftStorage storage = RaftStorage.open(fs, DIR, options(1 << 20, fatal))) {
      GroupCommitLog log = new GroupCommitLog(storage, 1000, 1 << 20);
      List<CompletableFuture<Void>> futures = new ArrayList<>();
      for (long i = 1; i <= 30; i++) {
        futures.add(log.submit(PersistBatch.entries(entries(1, i, i))));
      }
      log.close();
      assertThat(futures).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
      assertThatThrownBy(() -> log.submit(PersistBatch.entries(entries(1, 31, 31))).get())
          .hasCauseInstanceOf(IllegalStateException.class)
          .hasMessageContaining("closed");
    }
    fs.crash();
    try (RaftStorage reopened = RaftStorage.open(fs, DIR, options(1 << 20, fatal))) {
      assertThat(reopened.recovered().entries()).containsExactlyElementsOf(entries(1, 1, 30));
    }
  }
}
