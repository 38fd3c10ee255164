package io.raftkv.replica;

import io.raftkv.kv.KvLimits;
import io.raftkv.raft.RaftConfig;
import java.time.Duration;

/**
 * One replica's settings.
 *
 * @param raft the core's settings (its ticks are {@code tick} long)
 * @param tick the length of one Raft tick on the event loop's clock
 * @param snapshotEveryEntries take a snapshot once this many entries were applied since the last
 * @param pendingWritesMax writes proposed and not yet applied; beyond it writes are refused
 * @param pendingReadsMax linearizable reads waiting; beyond it reads are refused
 * @param kvLimits the state machine's bounds
 */
public record ReplicaConfig(
    RaftConfig raft,
    Duration tick,
    long snapshotEveryEntries,
    int pendingWritesMax,
    int pendingReadsMax,
    KvLimits kvLimits) {

  public ReplicaConfig {
    if (tick.isNegative() || tick.isZero()) {
      throw new IllegalArgumentException("replica config: tick must be positive, got " + tick);
    }
    if (snapshotEveryEntries < 1 || pendingWritesMax < 1 || pendingReadsMax < 1) {
      throw new IllegalArgumentException(
          "replica config: snapshotEveryEntries, "
              + "pendingWritesMax and pendingReadsMax must be >= 1");
    }
  }

  /** A 10 ms tick (so a 100-200 ms election timeout with the core's defaults). */
  public static ReplicaConfig defaults(RaftConfig raft) {
    return new ReplicaConfig(
        raft, Duration.ofMillis(10), 10_000, 10_000, 10_000, KvLimits.defaults());
  }

  public ReplicaConfig withSnapshotEveryEntries(long entries) {
    return new ReplicaConfig(raft, tick, entries, pendingWritesMax, pendingReadsMax, kvLimits);
  }
}
