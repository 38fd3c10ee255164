package io.raftkv.raft;

import java.util.Arrays;

/** Majority arithmetic shared by commitment, ReadIndex confirmation and leases. */
final class Quorum {
  private Quorum() {}

  /**
   * The largest value that at least {@code quorum} of {@code values} reach: the commit index when
   * the values are match indexes (§5.3, §5.4.2), the confirmed round when they are echoed heartbeat
   * sequences.
   */
  static long valueReachedByQuorum(long[] values, int quorum) {
    Invariants.check(
        quorum >= 1 && quorum <= values.length, "quorum %d of %d values", quorum, values.length);
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length - quorum];
  }
}
