package io.raftkv.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Everything a seed decides before the run starts: the fault mix (swarm testing: each seed turns
 * each fault on or off and draws its rate, so that over many seeds every combination is tried),
 * the network's and the disk's behaviour, and every node's clock. Printed at the start of a
 * replay so that a failing seed says under which conditions it failed.
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
    List<long[]> clocks) {

  private static final long MS = 1_000_000;

  /** Draws a seed's parameters; {@code faults} false turns every fault off. */
  static SimParameters draw(long seed, SimOptions options, SplittableRandom random) {
    boolean faults = options.faults();
    List<long[]> clocks = new ArrayList<>();
    for (int i = 0; i < options.nodes(); i++) {
      long drift = options.clockDriftPpmMax() == 0 ? 0
          : random.nextLong(-options.clockDriftPpmMax(), options.clockDriftPpmMax() + 1);
      clocks.add(new long[] {random.nextLong(0, 1_000_000 * MS), drift});
    }
    long[] snapshotChoices = {40, 200, 10_000};
    return new SimParameters(
        seed,
        10,
        leaseReads(options.leaseReads(), random.nextBoolean()),
        snapshotChoices[random.nextInt(snapshotChoices.length)],
        random.nextLong(MS / 10, 2 * MS),
        random.nextLong(MS, 10 * MS),
        faults && random.nextBoolean() ? random.nextDouble(0.001, 0.1) : 0,
        faults && random.nextBoolean() ? random.nextDouble(0.001, 0.05) : 0,
        random.nextLong(MS / 10, MS),
        random.nextLong(MS / 2, 5 * MS),
        faults && random.nextInt(4) != 0,
        faults && random.nextInt(4) != 0,
        faults && random.nextInt(4) != 0,
        faults && random.nextInt(4) == 0 ? random.nextDouble(0.0005, 0.005) : 0,
        random.nextLong(50 * MS, 800 * MS),
        clocks);
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
    return on;
  }

  /** One key=value line, as TigerBeetle's VOPR prints what it drew. */
  String describe() {
    StringBuilder line = new StringBuilder();
    line.append(String.format("seed=%d election_timeout_ticks=%d lease_reads=%b "
        + "snapshot_every_entries=%d delay_min_ms=%.2f delay_mean_ms=%.2f drop=%.4f "
        + "duplicate=%.4f fsync_min_ms=%.2f fsync_mean_ms=%.2f partitions=%b crashes=%b "
        + "pauses=%b fsync_failure=%.4f nemesis_mean_ms=%.0f",
        seed, electionTimeoutTicks, leaseReads, snapshotEveryEntries, delayMinNanos / 1e6,
        delayMeanNanos / 1e6, dropProbability, duplicateProbability, fsyncMinNanos / 1e6,
        fsyncMeanNanos / 1e6, partitions, crashes, pauses, fsyncFailureProbability,
        nemesisMeanNanos / 1e6));
    for (int i = 0; i < clocks.size(); i++) {
      line.append(String.format(" n%d_clock_offset_ms=%d n%d_drift_ppm=%d", i + 1,
          clocks.get(i)[0] / MS, i + 1, clocks.get(i)[1]));
    }
    return line.toString();
  }

  /** An exponential draw with the given mean above a minimum: a latency with a tail. */
  static long latencyNanos(SplittableRandom random, long minNanos, long meanNanos) {
    double u = random.nextDouble();
    return minNanos + (long) (-Math.log(1 - u) * meanNanos);
  }
}
