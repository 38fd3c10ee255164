package io.raftkv.sim;

import java.util.SplittableRandom;

/** How long a simulated disk takes to fsync: an exponential tail above a minimum. */
record DiskParameters(long fsyncMinNanos, long fsyncMeanNanos, boolean slowDisks) {
  private static final long MS = 1_000_000;

  static DiskParameters draw(SplittableRandom random) {
    long fsyncMinNanos = random.nextLong(MS / 10, MS);
    long fsyncMeanNanos = random.nextLong(MS / 2, 5 * MS);
    return new DiskParameters(fsyncMinNanos, fsyncMeanNanos, false);
  }

  /**
   * Slow disks (1 seed in 4, never with churn): fsyncs of tens of milliseconds, as on a saturated
   * disk, so that much of a run has written but unsynced state for a crash to hit.
   */
  DiskParameters withSlowDisksDrawn(boolean churn, SimOptions options, SplittableRandom random) {
    boolean slow = !churn && options.faultOn("slow-disks", random.nextInt(4) == 0);
    return slow ? new DiskParameters(fsyncMinNanos, random.nextLong(10 * MS, 40 * MS), true) : this;
  }

  long fsyncNanos(SplittableRandom random) {
    return SimParameters.latencyNanos(random, fsyncMinNanos, fsyncMeanNanos);
  }
}
