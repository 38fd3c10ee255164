package io.raftkv.storage;

import static io.raftkv.storage.Fixtures.DIR;
import static io.raftkv.storage.Fixtures.entries;
import static io.raftkv.storage.Fixtures.entry;
import static io.raftkv.storage.Fixtures.hard;
import static io.raftkv.storage.Fixtures.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkv.raft.Configuration;
import io.raftkv.raft.DurableState;
import io.raftkv.raft.Entry;
import io.raftkv.raft.Snapshot;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RaftStorageTest {
  private final FaultyFileSystem fs = new FaultyFileSystem(1);

  private RaftStorage reopen(RaftStorage old, long segmentBytes) {
    old.close();
    return RaftStorage.open(fs, DIR, options(segmentBytes));
  }

  @Test
  void freshDirectoryRecoversEmpty() {
    try (RaftStorage storage = RaftStorage.open(fs, DIR, options(4096))) {
      assertThat(storage.recovered()).isEqualTo(DurableState.empty());
    }
  }

  @Test
  void entriesAndHardStateSurviveACrashOnceSynced() {
    RaftStorage storage = RaftStorage.open(fs, DIR, options(4096));
    storage.persist(
        new PersistBatch(Optional.empty(), entries(1, 1, 5), Optional.of(hard(1, 2, 3))));
    storage.stage(PersistBatch.entries(entries(1, 6, 7))); // staged, never synced
    fs.crash();
    storage = reopen(storage, 4096);
    DurableState state = storage.recovered();
    assertThat(state.entries()).containsExactlyElementsOf(entries(1, 1, 5));
    assertThat(state.hardState()).isEqualTo(hard(1, 2, 3));
    storage.close();
  }

  @Test
  void newLeaderOverwritesASuffix_section5_3() {
    RaftStorage storage = RaftStorage.open(fs, DIR, options(4096));
    storage.persist(PersistBatch.entries(entries(1, 1, 10)));
    storage.persist(PersistBatch.entries(entries(2, 6, 7)));
    storage = reopen(storage, 4096);
    List<Entry> expected = new ArrayList<>(entries(1, 1, 5));
    expected.addAll(entries(2, 6, 7));
    assertThat(storage.recovered().entries()).containsExactlyElementsOf(expected);
    assertThat(storage.lastIndex()).isEqualTo(7);
    storage.close();
  }

  @Test
  void gapsAndTermRegressionsAreRefusedAndStageNothing() {
    try (RaftStorage storage = RaftStorage.open(fs, DIR, options(4096))) {
      storage.persist(PersistBatch.entries(entries(2, 1, 3)));
      assertThatThrownBy(
              () -> storage.stage(PersistBatch.entries(List.of(entry(2, 4), entry(2, 6)))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("gap");
      assertThatThrownBy(() -> storage.stage(PersistBatch.entries(List.of(entry(1, 4)))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("term 1 below");
      assertThat(storage.lastIndex()).isEqualTo(3);
      storage.persist(PersistBatch.entries(List.of(entry(2, 4))));
      assertThat(storage.lastIndex()).isEqualTo(4);
    }
  }

  @Test
  void aRefusedBatchOfPlainAppendsLeavesNoNewTermBehind() {
    RaftStorage first = RaftStorage.open(fs, DIR, options(4096));
    first.persist(new PersistBatch(Optional.empty(), entries(2, 1, 3), Optional.of(hard(2, 1, 0))));
    // The entries start a run of term 3, then the hard state breaks a rule: all of it goes.
    assertThatThrownBy(
            () ->
                first.stage(
                    new PersistBatch(
                        Optional.empty(), entries(3, 4, 5), Optional.of(hard(1, 1, 0)))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("term 1 below 2");
    assertThat(first.lastIndex()).isEqualTo(3);
    assertThat(first.hardState()).isEqualTo(hard(2, 1, 0));
    first.persist(PersistBatch.entries(List.of(entry(2, 4))));
    try (RaftStorage reopened = reopen(first, 4096)) {
      assertThat(reopened.recovered().entries()).containsExactlyElementsOf(entries(2, 1, 4));
    }
  }

  @Test
  void segmentsRollAndTheLogReadsBackAcrossThem() {
    RaftStorage storage = RaftStorage.open(fs, DIR, options(1024));
    for (long i = 1; i <= 200; i += 10) {
      storage.persist(
          new PersistBatch(
              Optional.empty(),
              entries(1 + i / 50, i, i + 9),
              Optional.of(hard(1 + i / 50, 1, i))));
    }
    assertThat(fs.list(Fixtures.WAL_DIR).size()).isGreaterThan(3);
    storage = reopen(storage, 1024);
    assertThat(storage.recovered().entries()).hasSize(200);
    assertThat(storage.recovered().hardState()).isEqualTo(hard(1 + 191 / 50, 1, 191));
    storage.close();
  }

  @Test
  void compactionDropsWholeSegmentsBelowTheSnapshotAndRecoversFromIt() {
    RaftStorage storage = RaftStorage.open(fs, DIR, options(1024));
    for (long i = 1; i <= 200; i += 10) {
      storage.persist(PersistBatch.entries(entries(3, i, i + 9)));
    }
    int before = fs.list(Fixtures.WAL_DIR).size();
    Snapshot snapshot = new Snapshot(150, 3, Configuration.ofIds(1, 2, 3), new byte[] {7, 8});
    storage.compact(snapshot);
    assertThat(fs.list(Fixtures.WAL_DIR).size()).isLessThan(before);
    storage.persist(PersistBatch.entries(entries(3, 201, 205)));
    fs.crash();
    storage = reopen(storage, 1024);
    DurableState state = storage.recovered();
    assertThat(state.snapshot()).contains(snapshot);
    assertThat(state.entries()).containsExactlyElementsOf(entries(3, 151, 205));
    storage.close();
  }

  @Test
  void installedSnapshotThatDisagreesReplacesTheWholeLog_section7() {
    RaftStorage storage = RaftStorage.open(fs, DIR, options(4096));
    storage.persist(PersistBatch.entries(entries(1, 1, 100)));
    Snapshot snapshot = new Snapshot(50, 3, Configuration.ofIds(1, 2, 3), new byte[] {1});
    storage.persist(
        new PersistBatch(Optional.of(snapshot), List.of(), Optional.of(hard(3, 0, 50))));
    storage.persist(PersistBatch.entries(entries(3, 51, 60)));
    storage = reopen(storage, 4096);
    assertThat(storage.recovered().snapshot()).contains(snapshot);
    assertThat(storage.recovered().entries()).containsExactlyElementsOf(entries(3, 51, 60));
    storage.close();
  }

  @Test
  void installedSnapshotThatAgreesKeepsTheSuffix_section7() {
    RaftStorage storage = RaftStorage.open(fs, DIR, options(4096));
    storage.persist(PersistBatch.entries(entries(2, 1, 100)));
    Snapshot snapshot = new Snapshot(50, 2, Configuration.ofIds(1), new byte[] {1});
    storage.persist(new PersistBatch(Optional.of(snapshot), List.of(), Optional.empty()));
    storage = reopen(storage, 4096);
    assertThat(storage.recovered().entries()).containsExactlyElementsOf(entries(2, 51, 100));
    storage.close();
  }

  @Test
  void snapshotDurableButItsMarkerLostIsAdoptedAtStart() {
    RaftStorage storage = RaftStorage.open(fs, DIR, options(4096));
    storage.persist(PersistBatch.entries(entries(2, 1, 20)));
    Snapshot snapshot = new Snapshot(10, 2, Configuration.ofIds(1), new byte[] {4});
    storage.snapshots().write(snapshot); // the crash comes before the marker is staged
    fs.crash();
    storage = reopen(storage, 4096);
    assertThat(storage.recovered().snapshot()).contains(snapshot);
    assertThat(storage.recovered().entries()).containsExactlyElementsOf(entries(2, 11, 20));
    assertThat(storage.recovered().hardState().commitIndex()).isEqualTo(10);
    storage.close();
  }

  @Test
  void olderSnapshotsBeyondTheRetainedCountAreDeleted() throws Exception {
    RaftStorage storage = RaftStorage.open(fs, DIR, options(4096));
    storage.persist(PersistBatch.entries(entries(1, 1, 40)));
    for (long at = 10; at <= 40; at += 10) {
      storage.compact(new Snapshot(at, 1, Configuration.ofIds(1), new byte[] {(byte) at}));
    }
    assertThat(storage.snapshots().fileNames())
        .containsExactly(SnapshotFormat.fileName(30, 1), SnapshotFormat.fileName(40, 1));
    storage.close();
  }

  @Test
  void worksOnTheRealFileSystem(@TempDir Path dir) {
    RealFileSystem real = new RealFileSystem();
    try (RaftStorage storage = RaftStorage.open(real, dir, options(2048))) {
      for (long i = 1; i <= 100; i += 10) {
        storage.persist(
            new PersistBatch(Optional.empty(), entries(1, i, i + 9), Optional.of(hard(1, 1, i))));
      }
      storage.compact(new Snapshot(60, 1, Configuration.ofIds(1, 2), new byte[100_000]));
    }
    try (RaftStorage storage = RaftStorage.open(real, dir, options(2048))) {
      assertThat(storage.recovered().entries()).containsExactlyElementsOf(entries(1, 61, 100));
      assertThat(storage.recovered().snapshot().orElseThrow().data()).hasSize(100_000);
      assertThat(storage.recovered().hardState()).isEqualTo(hard(1, 1, 91));
    }
  }
}
