package io.raftkv.sim;

/**
 * One node's view of time: an offset and a drift rate (parts per million, within the configured
 * bound) against simulated time, and whether the node is paused (a long GC pause, a stopped VM).
 * The clock keeps running through a pause, as a monotonic clock does; only the node's tasks wait.
 * It belongs to the node, not to one incarnation of it: a restart keeps the same hardware clock.
 */
final class NodeClock {
  private static final long PPM = 1_000_000;

  private final long offsetNanos;
  private final long driftPpm;
  private long pausedUntilNanos;

  NodeClock(long offsetNanos, long driftPpm) {
    this.offsetNanos = offsetNanos;
    this.driftPpm = driftPpm;
  }

  /** What the node's {@code nanoTime()} reads at simulated time {@code simNanos}. */
  long localNanos(long simNanos) {
    return offsetNanos + simNanos + simNanos / PPM * driftPpm;
  }

  /** Simulated time for {@code localDelayNanos} of the node's clock to pass. */
  long simDelayNanos(long localDelayNanos) {
    return Math.max(
        0,
        localDelayNanos / (PPM + driftPpm) * PPM
            + localDelayNanos % (PPM + driftPpm) * PPM / (PPM + driftPpm));
  }

  void pauseUntil(long simNanos) {
    pausedUntilNanos = Math.max(pausedUntilNanos, simNanos);
  }

  void resume(long nowNanos) {
    pausedUntilNanos = Math.min(pausedUntilNanos, nowNanos);
  }

  long pausedUntilNanos() {
    return pausedUntilNanos;
  }

  long driftPpm() {
    return driftPpm;
  }

  long offsetNanos() {
    return offsetNanos;
  }
}
