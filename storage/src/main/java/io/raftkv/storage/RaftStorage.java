package io.raftkv.storage;

import io.raftkv.raft.DurableState;
import io.raftkv.raft.Entry;
import io.raftkv.raft.HardState;
import io.raftkv.raft.Snapshot;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's durable state: the write-ahead log in {@code DIR/wal} and snapshot files in {@code
 * DIR/snap}. Synchronous and single-threaded, so the simulator drives it directly: {@link #stage}
 * what a {@code Ready} asks for, then {@link #sync} once. {@link GroupCommitLog} puts a thread in
 * front of it for production.
 *
 * <p>Failures: a full disk throws {@link DiskFullException} and loses nothing durable; a corrupt
 * log or snapshot at {@link #open} throws {@link CorruptStorageException} and the node must not
 * start; a failed fsync calls the options' {@link FatalDiskHandler} (production halts) and throws
 * {@link FatalDiskError}, after which every call throws it.
 */
public final class RaftStorage implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RaftStorage.class);

  private final StorageOptions options;
  private final Wal wal;
  private final SnapshotStore snapshots;
  private final DurableState recovered;
  private boolean compactionDue;

  private RaftStorage(
      StorageOptions options, Wal wal, SnapshotStore snapshots, DurableState recovered) {
    this.options = options;
    this.wal = wal;
    this.snapshots = snapshots;
    this.recovered = recovered;
  }

  /**
   * Opens (or creates) the storage in {@code dir} and recovers it: a torn log tail is dropped, the
   * newest valid snapshot is used, corruption anywhere else refuses to start.
   */
  public static RaftStorage open(FileSystem fs, Path dir, StorageOptions options) {
    List<Entry> entries = new ArrayList<>();
    Wal wal =
        Wal.open(
            fs,
            dir.resolve("wal"),
            options.segmentBytesMax(),
            options.preallocateBytes(),
            options.fatalHandler(),
            entries);
    SnapshotStore snapshots = new SnapshotStore(fs, dir.resolve("snap"), options.fatalHandler());
    try {
      Optional<Snapshot> snapshot = SnapshotRecovery.choose(snapshots, wal);
      HardState hardState = wal.hardState();
      if (snapshot.isPresent() && snapshot.get().index() > wal.baseIndex()) {
        // A crash after the snapshot file became durable and before its marker did: the
        // snapshot is committed state, so finish what was started (§7's rule, as on install).
        Snapshot newer = snapshot.get();
        boolean keep = wal.termAt(newer.index()) == newer.term();
        hardState =
            new HardState(
                hardState.currentTerm(),
                hardState.votedFor(),
                Math.max(hardState.commitIndex(), newer.index()));
        wal.stage(
            new WalRecord.SnapshotMarker(newer.index(), newer.term(), keep), List.of(), hardState);
        wal.sync();
        entries.removeIf(e -> !keep || e.index() <= newer.index());
        LOG.info(
            "storage {}: adopted snapshot {}@{} whose log marker was lost in a crash",
            dir,
            newer.index(),
            newer.term());
      }
      if (snapshot.isPresent() && hardState.commitIndex() < snapshot.get().index()) {
        // A snapshot holds only committed entries; say so, whichever record was torn off.
        hardState =
            new HardState(hardState.currentTerm(), hardState.votedFor(), snapshot.get().index());
      }
      DurableState state = new DurableState(hardState, snapshot, entries);
      return new RaftStorage(options, wal, snapshots, state);
    } catch (IOException e) {
      wal.close();
      throw new StorageException(
          "storage " + dir + ": reading snapshots failed: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      wal.close();
      throw e;
    }
  }

  /** What was on disk at open: hand it to the Raft core once, then drop it. */
  public DurableState recovered() {
    return recovered;
  }

  public SnapshotStore snapshots() {
    return snapshots;
  }

  public long lastIndex() {
    return wal.lastIndex();
  }

  public long snapshotIndex() {
    return wal.baseIndex();
  }

  public HardState hardState() {
    return wal.hardState();
  }

  /** Fsyncs done by the log so far (one per {@link #sync} that had something to write). */
  public long syncCount() {
    return wal.syncCount();
  }

  /**
   * Stages a Ready's persistence work in its order. A snapshot to install is written to its own
   * file durably right here (it must be on disk before the log says the log starts after it); the
   * entries and hard state become durable at the next {@link #sync}. All or nothing: a batch that
   * breaks the log's rules throws {@link IllegalArgumentException} and stages nothing.
   */
  public void stage(PersistBatch batch) {
    WalRecord.SnapshotMarker marker = null;
    if (batch.snapshotToInstall().isPresent()) {
      Snapshot snapshot = batch.snapshotToInstall().get();
      if (snapshot.index() <= wal.baseIndex()) {
        throw new IllegalArgumentException(
            "snapshot "
                + snapshot.index()
                + " to install is not "
                + "after the current one at "
                + wal.baseIndex());
      }
      snapshots.write(snapshot);
      // §7: keep the entries after the snapshot only if our log agrees with it at its index.
      marker =
          new WalRecord.SnapshotMarker(
              snapshot.index(), snapshot.term(), wal.termAt(snapshot.index()) == snapshot.term());
      compactionDue = true;
    }
    wal.stage(marker, batch.entries(), batch.hardState().orElse(null));
  }

  /** Makes everything staged durable with one fsync, then drops what a snapshot made obsolete. */
  public void sync() {
    wal.sync();
    if (compactionDue) {
      compactionDue = false;
      dropObsolete();
    }
  }

  /**
   * The first half of {@link #sync}, for {@link GroupCommitLog}'s pipeline: takes what is staged
   * out for {@link #write}, so the next batch can be staged while it is written. Only for batches
   * without a snapshot to install, whose sync has more to do.
   */
  Wal.Sealed seal() {
    if (compactionDue) {
      throw new IllegalStateException("a staged snapshot install must go through sync()");
    }
    return wal.seal();
  }

  /** The second half of {@link #sync}: writes a sealed batch and fsyncs once. */
  void write(Wal.Sealed sealed) {
    wal.write(sealed);
  }

  /** After {@link #write} refused a batch, forgets what was staged on top of it. */
  void discardStaged() {
    wal.discardStaged();
  }

  public void persist(PersistBatch batch) {
    stage(batch);
    sync();
  }

  /**
   * Compaction: the state machine's image at an applied index becomes a snapshot file, and the log
   * before it is dropped. Call with nothing staged, or it becomes durable too.
   */
  public void compact(Snapshot snapshot) {
    compact(snapshot, () -> snapshots.write(snapshot));
  }

  /** Compaction with a streamed snapshot; {@code data} writes the state machine image. */
  public void compact(
      long index,
      long term,
      io.raftkv.raft.Configuration configuration,
      SnapshotStore.DataWriter data) {
    compact(
        new Snapshot(index, term, configuration, new byte[0]),
        () -> snapshots.write(index, term, configuration, data));
  }

  private void compact(Snapshot position, Runnable writeFile) {
    long term = wal.termAt(position.index());
    if (position.index() <= wal.baseIndex()) {
      throw new IllegalArgumentException(
          "compaction to "
              + position.index()
              + " is not after the current snapshot at "
              + wal.baseIndex());
    }
    if (term != position.term()) {
      throw new IllegalArgumentException(
          "compaction to "
              + position.index()
              + "@"
              + position.term()
              + " disagrees with the log, whose term there is "
              + term);
    }
    writeFile.run();
    wal.stage(
        new WalRecord.SnapshotMarker(position.index(), position.term(), true), List.of(), null);
    wal.sync();
    dropObsolete();
  }

  private void dropObsolete() {
    int segments = wal.deleteCompactedSegments();
    try {
      List<String> deleted = snapshots.prune(options.snapshotsRetained(), wal.baseIndex());
      LOG.debug(
          "compacted to {}: {} segments and {} snapshot files deleted",
          wal.baseIndex(),
          segments,
          deleted.size());
    } catch (IOException e) {
      // Old snapshot files take space but cost no correctness; the next compaction retries.
      LOG.warn("pruning old snapshots failed: {}", e.getMessage());
    }
  }

  @Override
  public void close() {
    wal.close();
  }
}
