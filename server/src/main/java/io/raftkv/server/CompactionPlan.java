package io.raftkv.server;

import java.time.Duration;
import java.util.ArrayDeque;

/**
 * Which revision etcd's auto-compaction would compact to now, from samples of (time, revision)
 * taken by the leader. A pure function of its inputs, so its rules are tested without a cluster.
 *
 * <ul>
 *   <li>revision mode (etcd 3.4 revision compactor): every {@link #REVISION_PERIOD}, compact to the
 *       current revision minus the retention;
 *   <li>periodic mode: sample every {@code retention / 10} (at least a second), and compact to the
 *       newest revision sampled at least {@code retention} ago, so that {@code retention} of
 *       history stays readable.
 * </ul>
 */
final class CompactionPlan {
  /** How often revision mode looks, as etcd's revision compactor. */
  static final Duration REVISION_PERIOD = Duration.ofMinutes(5);

  private record Sample(long nanos, long revision) {}

  private final ServerConfig.AutoCompaction mode;
  private final ArrayDeque<Sample> samples = new ArrayDeque<>();
  private long compactedRevision;

  CompactionPlan(ServerConfig.AutoCompaction mode) {
    this.mode = mode;
  }

  /** How long between two calls of {@link #next}. */
  Duration period() {
    if (mode.mode() == ServerConfig.AutoCompaction.Mode.REVISION) {
      return REVISION_PERIOD;
    }
    Duration tenth = mode.retention().dividedBy(10);
    return tenth.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : tenth;
  }

  /**
   * Records the current revision at {@code nowNanos} and returns the revision to compact to, or 0
   * for none (nothing old enough, or no more than last time).
   */
  long next(long nowNanos, long currentRevision) {
    long target;
    if (mode.mode() == ServerConfig.AutoCompaction.Mode.REVISION) {
      target = currentRevision - mode.retainRevisions();
    } else {
      samples.add(new Sample(nowNanos, currentRevision));
      target = 0;
      long retentionNanos = mode.retention().toNanos();
      while (!samples.isEmpty() && nowNanos - samples.peek().nanos() >= retentionNanos) {
        target = samples.poll().revision();
      }
    }
    if (target <= compactedRevision || target < 1) {
      return 0;
    }
    compactedRevision = target;
    return target;
  }

  /** A new leader starts over: samples taken elsewhere do not carry. */
  void reset() {
    samples.clear();
  }
}
