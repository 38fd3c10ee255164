package io.raftkv.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Everything a seed decides before the run starts: the fault mix (swarm testing: each seed turns
 * each fault on or off and draws its rate, so that over many seeds every combination is tried), the
 * network's and the disk's behaviour, and every node's clock. Printed at the start of a replay so
 * that a failing seed says under which conditions it failed.
 */
record SimParameters(
    long seed,
    int electionTimeoutTicks,
    boolean leaseReads,
    long snapshotEveryEntries,
    long delayMinNanos,
    long delayMeanNanos,
    double dropProbability,
    double duplicateProbability,
    long fsyncMinNanos,
    long fsyncMeanNanos,
    boolean partitions,
    boolean crashes,
    boolean pauses,
    double fsyncFailureProbability,
    long nemesisMeanNanos,
    List<long[]> clocks,
    int appendEntriesMax,
    int inflightAppendsMax,
    boolean driftNearBound,
    boolean slowDisks,
    double[] crashPointProbabilities,
    boolean quickRestarts,
    long tickNanos,
    int readers,
    boolean fullDisks,
    long compactEveryNanos,
    long compactRetainRevisions) {

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

  /** The probability that sending {@code message} while a write is unsynced is a crash. */
  double crashPointProbability(io.raftkv.raft.Message message) {
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

  /** Draws a seed's parameters; {@code faults} false turns every fault off. */
  static SimParameters draw(long seed, SimOptions options, SplittableRandom random) {
    List<long[]> clocks = new ArrayList<>();
    for (int i = 0; i < options.nodes(); i++) {
      long drift =
          options.clockDriftPpmMax() == 0
              ? 0
              : random.nextLong(-options.clockDriftPpmMax(), options.clockDriftPpmMax() + 1);
      clocks.add(new long[] {random.nextLong(0, 1_000_000 * MS), drift});
    }
    long[] snapshotChoices = {40, 200, 10_000};
    boolean leaseReads = leaseReads(options.leaseReads(), random.nextBoolean());
    long snapshotEveryEntries = snapshotChoices[random.nextInt(snapshotChoices.length)];
    long delayMinNanos = random.nextLong(MS / 10, 2 * MS);
    long delayMeanNanos = random.nextLong(MS, 10 * MS);
    double dropProbability =
        on(options, "drops", random.nextBoolean()) ? random.nextDouble(0.001, 0.1) : 0;
    double duplicateProbability =
        on(options, "duplicates", random.nextBoolean()) ? random.nextDouble(0.001, 0.05) : 0;
    long fsyncMinNanos = random.nextLong(MS / 10, MS);
    long fsyncMeanNanos = random.nextLong(MS / 2, 5 * MS);
    boolean partitions = on(options, "partitions", random.nextInt(4) != 0);
    boolean crashes = on(options, "crashes", random.nextInt(4) != 0);
    boolean pauses = on(options, "pauses", random.nextInt(4) != 0);
    double fsyncFailureProbability =
        on(options, "fsync-failures", random.nextInt(4) == 0)
            ? random.nextDouble(0.0005, 0.005)
            : 0;
    long nemesisMeanNanos = random.nextLong(50 * MS, 800 * MS);
    // Drawn after everything above, so that the parameters above stay what they were.
    // Churn (1 seed in 4): election timeouts short next to replication, one entry per append,
    // so leaders come and go while their predecessors' entries are half replicated (Figure 8).
    boolean churn = on(options, "churn", random.nextInt(4) == 0);
    int electionTimeoutTicks = churn ? random.nextInt(3, 6) : 10;
    if (churn) {
      // a message takes about a tick: replication is slow next to the timeouts
      delayMeanNanos = random.nextLong(4 * MS, 12 * MS);
    }
    // Clock drift near the bound (1 seed in 3): every clock runs between half the bound and
    // the bound fast or slow, so a fast follower and a slow leader disagree by up to twice it.
    boolean driftNearBound = on(options, "clock-drift", random.nextInt(3) == 0);
    if (driftNearBound) {
      long bound = options.clockDriftPpmMax();
      for (long[] clock : clocks) {
        clock[1] = (clock[1] < 0 ? -1 : 1) * (bound / 2 + Math.abs(clock[1]) / 2);
      }
    }
    // Slow disks (1 seed in 4, never with churn): fsyncs of tens of milliseconds, as on a
    // saturated disk, so that much of a run has written but unsynced state for a crash to hit.
    boolean slowDisks = !churn && on(options, "slow-disks", random.nextInt(4) == 0);
    if (slowDisks) {
      fsyncMeanNanos = random.nextLong(10 * MS, 40 * MS);
    }
    // Crash points (in 2 seeds of 3 that have crashes), as FoundationDB's BUGGIFY sites: each
    // kind of message is a site, on with probability 1/2, and a node that sends a message of
    // an enabled kind while a write of its is unsynced dies right there with the site's drawn
    // probability (log-uniform, 1% to 50%): the instant at which a power loss tells what the
    // node promised apart from what it made durable.
    double[] crashPointProbabilities = new double[CRASH_SITES.size()];
    if (crashes && (random.nextInt(3) != 0 || options.forces("crashes"))) {
      for (int site = 0; site < crashPointProbabilities.length; site++) {
        crashPointProbabilities[site] =
            random.nextBoolean() ? Math.exp(random.nextDouble(Math.log(0.01), Math.log(0.5))) : 0;
      }
    }
    // Quick restarts (1 seed in 2 that has crashes): a supervisor restarts a crashed process
    // within tens of milliseconds, while the election it left is still running.
    boolean quickRestarts = crashes && (random.nextBoolean() || options.forces("crashes"));
    // (the quick downtime itself is drawn per crash)
    // The tick (1 seed in 2 off the 10 ms default, never with churn): 50 or 100 ms, etcd's
    // default heartbeat, so a 0.5-1 s election timeout, and every window measured in ticks (a
    // lease's margin, a follower's promise not to vote) as wide in time as client operations.
    long[] tickChoices = {10 * MS, 10 * MS, 50 * MS, 100 * MS};
    long tickNanos = tickChoices[random.nextInt(tickChoices.length)];
    if (churn) {
      tickNanos = 10 * MS;
    }
    // Readers (0 to 3 a seed) read only, each at a node drawn afresh, as clients balanced over
    // endpoints do: while every other client waits on a write at a leader cut off from its
    // peers, they keep reading there and at its successor, which is where a leader's lease
    // outliving its followers' promise shows as a stale read.
    int readers = random.nextInt(4);
    // Full disks (1 seed in 4): the nemesis fills a node's disk for a while; its next write
    // fails, the node stops (a Raft node that cannot persist must not answer), and restarts
    // fail until space comes back.
    boolean fullDisks = on(options, "full-disks", random.nextInt(4) == 0);
    // Compactions (1 seed in 4), as etcd's auto-compaction on the leader: every 100 ms to 1 s
    // the leader compacts all but the last 5-100 revisions, so that watchers resuming behind
    // it, and followers restoring a compacted snapshot, meet the compacted error.
    boolean compactions = random.nextInt(4) == 0;
    long compactEveryNanos = compactions ? random.nextLong(100 * MS, 1000 * MS) : 0;
    long compactRetainRevisions = compactions ? random.nextLong(5, 101) : 0;
    return new SimParameters(
        seed,
        electionTimeoutTicks,
        leaseReads,
        snapshotEveryEntries,
        delayMinNanos,
        delayMeanNanos,
        dropProbability,
        duplicateProbability,
        fsyncMinNanos,
        fsyncMeanNanos,
        partitions,
        crashes,
        pauses,
        fsyncFailureProbability,
        nemesisMeanNanos,
        clocks,
        churn ? 1 : 1024,
        churn ? 2 : 64,
        driftNearBound,
        slowDisks,
        crashPointProbabilities,
        quickRestarts,
        tickNanos,
        readers,
        fullDisks,
        compactEveryNanos,
        compactRetainRevisions);
  }

  /**
   * Whether a fault is on: drawn, or forced ({@code --always}), and allowed. The draw is made by
   * the caller whatever the options say, so that they shift no other parameter.
   */
  private static boolean on(SimOptions options, String kind, boolean drawn) {
    return options.allows(kind) && (drawn || options.forces(kind));
  }

  /** The drawn value is always consumed, so forcing it shifts no other parameter. */
  private static boolean leaseReads(SimOptions.LeaseReads mode, boolean drawn) {
    return switch (mode) {
      case DRAWN -> drawn;
      case ON -> true;
      case OFF -> false;
    };
  }

  /** The fault kinds this seed has on, e.g. {@code [partitions, crashes, drops]}. */
  List<String> faultsOn() {
    List<String> on = new ArrayList<>();
    if (partitions) {
      on.add("partitions");
    }
    if (crashes) {
      on.add("crashes");
    }
    if (pauses) {
      on.add("pauses");
    }
    if (dropProbability > 0) {
      on.add("drops");
    }
    if (duplicateProbability > 0) {
      on.add("duplicates");
    }
    if (fsyncFailureProbability > 0) {
      on.add("fsync-failures");
    }
    if (driftNearBound) {
      on.add("clock-drift");
    }
    if (slowDisks) {
      on.add("slow-disks");
    }
    if (fullDisks) {
      on.add("full-disks");
    }
    if (appendEntriesMax == 1) {
      on.add("churn");
    }
    return on;
  }

  /** One key=value line, as TigerBeetle's VOPR prints what it drew. */
  String describe() {
    StringBuilder line = new StringBuilder();
    line.append(
        String.format(
            "seed=%d tick_ms=%d election_timeout_ticks=%d lease_reads=%b "
                + "snapshot_every_entries=%d delay_min_ms=%.2f delay_mean_ms=%.2f drop=%.4f "
                + "duplicate=%.4f fsync_min_ms=%.2f fsync_mean_ms=%.2f partitions=%b crashes=%b "
                + "pauses=%b fsync_failure=%.4f nemesis_mean_ms=%.0f append_entries_max=%d "
                + "inflight_appends_max=%d drift_near_bound=%b slow_disks=%b quick_restarts=%b readers=%d "
                + "full_disks=%b compact_every_ms=%d compact_retain_revisions=%d",
            seed,
            tickNanos / MS,
            electionTimeoutTicks,
            leaseReads,
            snapshotEveryEntries,
            delayMinNanos / 1e6,
            delayMeanNanos / 1e6,
            dropProbability,
            duplicateProbability,
            fsyncMinNanos / 1e6,
            fsyncMeanNanos / 1e6,
            partitions,
            crashes,
            pauses,
            fsyncFailureProbability,
            nemesisMeanNanos / 1e6,
            appendEntriesMax,
            inflightAppendsMax,
            driftNearBound,
            slowDisks,
            quickRestarts,
            readers,
            fullDisks,
            compactEveryNanos / MS,
            compactRetainRevisions));
    for (int site = 0; site < CRASH_SITES.size(); site++) {
      if (crashPointProbabilities[site] > 0) {
        line.append(
            String.format(
                " crash_after_%s=%.4f", CRASH_SITES.get(site), crashPointProbabilities[site]));
      }
    }
    for (int i = 0; i < clocks.size(); i++) {
      line.append(
          String.format(
              " n%d_clock_offset_ms=%d n%d_drift_ppm=%d",
              i + 1, clocks.get(i)[0] / MS, i + 1, clocks.get(i)[1]));
    }
    return line.toString();
  }

  /** An exponential draw with the given mean above a minimum: a latency with a tail. */
  static long latencyNanos(SplittableRandom random, long minNanos, long meanNanos) {
    double u = random.nextDouble();
    return minNanos + (long) (-Math.log(1 - u) * meanNanos);
  }
}
