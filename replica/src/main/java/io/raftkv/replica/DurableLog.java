package io.raftkv.replica;

import io.raftkv.raft.DurableState;
import io.raftkv.raft.Snapshot;
import io.raftkv.storage.PersistBatch;

/**
 * Where a replica's Raft state becomes durable: the WAL and snapshot files behind a seam, so
 * production can group-commit on its WAL thread while the simulator decides when each fsync
 * completes, fails or is lost in a crash.
 *
 * <p>A failed fsync is never reported back: the implementation fail-stops the node (STYLE.md §6),
 * since nothing that was promised may be carried on from.
 */
public interface DurableLog {
  /** What the disk held when the node started. */
  DurableState recovered();

  /**
   * Makes {@code batch} durable (one fsync for the whole batch, or shared with others), then runs
   * {@code onDurable} on the replica's event loop. Batches complete in submission order.
   */
  void persist(PersistBatch batch, Runnable onDurable);

  /**
   * Makes {@code snapshot} durable and drops the log prefix it covers, then runs {@code onDurable}
   * on the event loop. Ordered after every batch submitted before it.
   */
  void saveSnapshot(Snapshot snapshot, Runnable onDurable);
}
