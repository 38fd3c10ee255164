package io.raftkv.sim;

import io.raftkv.raft.Message;
import java.util.List;
import java.util.SplittableRandom;

/**
 * What the nemesis may do to this seed's cluster, and how often (swarm testing: each seed turns
 * each fault on or off and draws its rate, so that over many seeds every combination is tried). The
 * network's own faults, drops and duplicates, are {@link NetworkParameters}'.
 *
 * @param fsyncFailureProbability the chance that one fsync fails, which stops the node
 * @param nemesisMeanNanos the mean time between the nemesis's moves
 * @param crashPointProbabilities per {@link #CRASH_SITES} site, the chance that sending such a
 *     message while a write is unsynced is a crash; all 0 without crash points
 * @param quickRestarts a crashed node may come back within tens of milliseconds
 * @param fullDisks the nemesis fills a node's disk for a while
 */
record FaultParameters(
    boolean partitions,
    boolean crashes,
    boolean pauses,
    double fsyncFailureProbability,
    long nemesisMeanNanos,
    double[] crashPointProbabilities,
    boolean quickRestarts,
    boolean fullDisks) {
  private static final long MS = 1_000_000;

  /** The crash points' sites: the kinds of message a node sends, by simple class name. */
  static final List<String> CRASH_SITES =
      List.of(
          "RequestVote",
          "VoteReply",
          "AppendEntries",
          "AppendReply",
          "Heartbeat",
          "HeartbeatReply",
          "InstallSnapshot",
          "SnapshotReply",
          "TimeoutNow",
          "ReadIndexRequest",
          "ReadIndexReply");

  /** The faults drawn first; crash points, quick restarts and full disks come later. */
  static FaultParameters draw(SimOptions options, SplittableRandom random) {
    boolean partitions = options.faultOn("partitions", random.nextInt(4) != 0);
    boolean crashes = options.faultOn("crashes", random.nextInt(4) != 0);
    boolean pauses = options.faultOn("pauses", random.nextInt(4) != 0);
    double fsyncFailureProbability =
        options.faultOn("fsync-failures", random.nextInt(4) == 0)
            ? random.nextDouble(0.0005, 0.005)
            : 0;
    long nemesisMeanNanos = random.nextLong(50 * MS, 800 * MS);
    return new FaultParameters(
        partitions,
        crashes,
        pauses,
        fsyncFailureProbability,
        nemesisMeanNanos,
        new double[CRASH_SITES.size()],
        false,
        false);
  }

  /**
   * Crash points (in 2 seeds of 3 that have crashes), as FoundationDB's BUGGIFY sites: each kind of
   * message is a site, on with probability 1/2, and a node that sends a message of an enabled kind
   * while a write of its is unsynced dies right there with the site's drawn probability
   * (log-uniform, 1% to 50%): the instant at which a power loss tells what the node promised apart
   * from what it made durable. Quick restarts (1 seed in 2 that has crashes): a supervisor restarts
   * a crashed process within tens of milliseconds, while the election it left is still running (the
   * quick downtime itself is drawn per crash).
   */
  FaultParameters withCrashPointsDrawn(SimOptions options, SplittableRandom random) {
    double[] probabilities = new double[CRASH_SITES.size()];
    if (crashes && (random.nextInt(3) != 0 || options.forces("crashes"))) {
      for (int site = 0; site < probabilities.length; site++) {
        probabilities[site] =
            random.nextBoolean() ? Math.exp(random.nextDouble(Math.log(0.01), Math.log(0.5))) : 0;
      }
    }
    boolean quick = crashes && (random.nextBoolean() || options.forces("crashes"));
    return new FaultParameters(
        partitions,
        crashes,
        pauses,
        fsyncFailureProbability,
        nemesisMeanNanos,
        probabilities,
        quick,
        fullDisks);
  }

  /**
   * Full disks (1 seed in 4): the nemesis fills a node's disk for a while; its next write fails,
   * the node stops (a Raft node that cannot persist must not answer), and restarts fail until space
   * comes back.
   */
  FaultParameters withFullDisksDrawn(SimOptions options, SplittableRandom random) {
    boolean full = options.faultOn("full-disks", random.nextInt(4) == 0);
    return new FaultParameters(
        partitions,
        crashes,
        pauses,
        fsyncFailureProbability,
        nemesisMeanNanos,
        crashPointProbabilities,
        quickRestarts,
        full);
  }

  /** The probability that sending {@code message} while a write is unsynced is a crash. */
  double crashPointProbability(Message message) {
    int site = CRASH_SITES.indexOf(message.getClass().getSimpleName());
    return site < 0 ? 0 : crashPointProbabilities[site];
  }

  boolean crashPoints() {
    for (double probability : crashPointProbabilities) {
      if (probability > 0) {
        return true;
      }
    }
    return false;
  }
}
