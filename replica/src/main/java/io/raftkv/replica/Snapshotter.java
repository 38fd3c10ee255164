package io.raftkv.replica;

import io.raftkv.kv.KvLimits;
import io.raftkv.kv.KvSnapshot;
import io.raftkv.kv.KvStore;
import io.raftkv.raft.Configuration;
import io.raftkv.raft.DurableState;
import io.raftkv.raft.Entry;
import io.raftkv.raft.NodeId;
import io.raftkv.raft.RaftNode;
import io.raftkv.raft.Snapshot;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * Takes, writes and installs snapshots of the state machine. Every {@code snapshotEveryEntries}
 * applied entries it takes an image on the loop (cheap: a point in time pinned in kv's immutable
 * version chains), writes it out off the loop ({@link EventLoop#offload}: a large state machine
 * would otherwise hold up heartbeats), makes it durable through {@link DurableLog#saveSnapshot},
 * and only then lets the core compact its log, so a crash in between keeps the whole log. One
 * snapshot at a time. Everything but the writing runs on the loop.
 */
final class Snapshotter {
  private final NodeId id;
  private final EventLoop loop;
  private final DurableLog durableLog;
  private final RaftNode node;
  private final long everyEntries;
  private final KvLimits kvLimits;
  private final BooleanSupplier stopped;

  /** The index of the snapshot being written or saved; 0 when none is. */
  private long inProgressIndex;

  private long lastSnapshotIndex;
  private long savedCount;
  private long installedCount;

  /**
   * Starts from the core's snapshot (the one recovered); {@code stopped}: whether the replica
   * stopped, after which nothing more is saved or compacted.
   */
  Snapshotter(
      EventLoop loop,
      DurableLog durableLog,
      RaftNode node,
      ReplicaConfig config,
      BooleanSupplier stopped) {
    this.id = node.id();
    this.loop = loop;
    this.durableLog = durableLog;
    this.node = node;
    this.everyEntries = config.snapshotEveryEntries();
    this.kvLimits = config.kvLimits();
    this.lastSnapshotIndex = coreSnapshotIndex();
    this.stopped = stopped;
  }

  /** The state machine {@code durable} holds: its snapshot's, or a new one. */
  static KvStore recover(NodeId id, DurableState durable, KvLimits kvLimits) {
    return durable
        .snapshot()
        .map(snapshot -> restore(id, snapshot, kvLimits))
        .orElseGet(() -> new KvStore(kvLimits));
  }

  private static KvStore restore(NodeId id, Snapshot snapshot, KvLimits kvLimits) {
    try {
      return KvStore.restore(new ByteArrayInputStream(snapshot.data()), kvLimits);
    } catch (IOException e) {
      throw new UncheckedIOException(
          id + ": snapshot " + snapshot.index() + " does not restore", e);
    }
  }

  /** A leader's snapshot replaced our log: the state machine it holds replaces ours. */
  KvStore install(Snapshot snapshot) {
    KvStore restored = restore(id, snapshot, kvLimits);
    lastSnapshotIndex = snapshot.index();
    installedCount++;
    return restored;
  }

  /** Snapshot policy: starts one when {@code snapshotEveryEntries} applied since the last. */
  void maybeSnapshot(KvStore kv) {
    long applied = node.appliedIndex();
    if (inProgressIndex != 0 || applied - lastSnapshotIndex < everyEntries) {
      return;
    }
    Optional<Entry> last = node.entry(applied);
    if (last.isEmpty()) {
      // A leader's snapshot replaced the log while the batch that applied through here was
      // being persisted (simulator, seed 105): that snapshot covers this point already.
      return;
    }
    // Taking the image is cheap and pins this point in time; writing it out is not, and goes
    // off the loop so that a large state machine does not hold up heartbeats (the image is
    // written from the immutable version chains while applies go on).
    KvSnapshot image = kv.snapshot();
    long term = last.get().term();
    Configuration configuration = node.configuration();
    inProgressIndex = applied;
    loop.offload(
        () -> {
          byte[] bytes;
          try {
            bytes = encode(image);
          } catch (RuntimeException e) {
            // A worker's failure belongs to the loop: left on the worker, it would only leave
            // a snapshot in progress, and this replica would never snapshot again.
            loop.execute(
                () -> {
                  inProgressIndex = 0;
                  throw e;
                });
            return;
          }
          loop.execute(() -> save(new Snapshot(applied, term, configuration, bytes)));
        });
  }

  private void save(Snapshot snapshot) {
    if (stopped.getAsBoolean() || snapshot.index() <= coreSnapshotIndex()) {
      // Stopped, or a leader's snapshot covered this point while the image was written.
      inProgressIndex = 0;
      return;
    }
    durableLog.saveSnapshot(
        snapshot,
        () -> {
          inProgressIndex = 0;
          if (!stopped.getAsBoolean() && snapshot.index() > coreSnapshotIndex()) {
            node.compact(snapshot.index(), snapshot.data());
            lastSnapshotIndex = snapshot.index();
            savedCount++;
          }
        });
  }

  private long coreSnapshotIndex() {
    return node.snapshot().map(Snapshot::index).orElse(0L);
  }

  private byte[] encode(KvSnapshot image) {
    try (image) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      image.writeTo(out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(id + ": snapshot of the state machine failed", e);
    }
  }

  SnapshotterStatus status() {
    return new SnapshotterStatus(lastSnapshotIndex, inProgressIndex, savedCount, installedCount);
  }
}
