package io.raftkv.sim;

import java.util.SplittableRandom;

/**
 * What this seed's clients and operator do besides the writers and watchers {@link SimOptions} asks
 * for.
 *
 * @param readers clients that only read, each read at a node drawn afresh, as clients balanced over
 *     endpoints do: while every other client waits on a write at a leader cut off from its peers,
 *     they keep reading there and at its successor, which is where a leader's lease outliving its
 *     followers' promise shows as a stale read
 * @param compactEveryNanos how often the leader compacts, as etcd's auto-compaction; 0 never
 * @param compactRetainRevisions the revisions a compaction keeps
 */
record WorkloadParameters(int readers, long compactEveryNanos, long compactRetainRevisions) {
  private static final long MS = 1_000_000;

  /**
   * Compactions (1 seed in 4): every 100 ms to 1 s the leader compacts all but the last 5-100
   * revisions, so that watchers resuming behind it, and followers restoring a compacted snapshot,
   * meet the compacted error. {@code readers} (0 to 3) was drawn earlier.
   */
  static WorkloadParameters drawCompactions(int readers, SplittableRandom random) {
    boolean compactions = random.nextInt(4) == 0;
    long everyNanos = compactions ? random.nextLong(100 * MS, 1000 * MS) : 0;
    long retainRevisions = compactions ? random.nextLong(5, 101) : 0;
    return new WorkloadParameters(readers, everyNanos, retainRevisions);
  }
}
