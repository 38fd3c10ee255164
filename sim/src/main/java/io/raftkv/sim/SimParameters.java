package io.raftkv.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Everything a seed decides before the run starts, one record per concern: how the replicas are
 * configured, the network's and the disks' behaviour, every node's clock, the fault mix (swarm
 * testing: each seed turns each fault on or off and draws its rate, so that over many seeds every
 * combination is tried) and the extra workload. Printed at the start of a replay so that a failing
 * seed says under which conditions it failed.
 */
record SimParameters(
    long seed,
    ReplicaParameters replicas,
    NetworkParameters network,
    DiskParameters disk,
    ClockParameters clocks,
    FaultParameters faults,
    WorkloadParameters workload) {

  private static final long MS = 1_000_000;
  private static final long[] SNAPSHOT_EVERY_ENTRIES_CHOICES = {40, 200, 10_000};

  /**
   * The tick (1 seed in 2 off the 10 ms default, never with churn): 50 or 100 ms, etcd's default
   * heartbeat, so a 0.5-1 s election timeout, and every window measured in ticks (a lease's margin,
   * a follower's promise not to vote) as wide in time as client operations.
   */
  private static final long[] TICK_NANOS_CHOICES = {10 * MS, 10 * MS, 50 * MS, 100 * MS};

  /**
   * Draws a seed's parameters; {@code options} without faults turns every fault off. The order of
   * the draws is part of every seed: each parameter added later is drawn after all that came before
   * it, even where it adjusts one drawn earlier, so that the earlier ones stay what they were and
   * an old seed still replays.
   */
  static SimParameters draw(long seed, SimOptions options, SplittableRandom random) {
    List<ClockSkew> skews = ClockParameters.drawSkews(options, random);
    boolean leaseReads = leaseReads(options.leaseReads(), random.nextBoolean());
    long snapshotEveryEntries =
        SNAPSHOT_EVERY_ENTRIES_CHOICES[random.nextInt(SNAPSHOT_EVERY_ENTRIES_CHOICES.length)];
    NetworkParameters network = NetworkParameters.draw(options, random);
    DiskParameters disk = DiskParameters.draw(random);
    FaultParameters faults = FaultParameters.draw(options, random);
    // Churn (1 seed in 4), see ReplicaParameters.churn.
    boolean churn = options.faultOn("churn", random.nextInt(4) == 0);
    int electionTimeoutTicks = churn ? random.nextInt(3, 6) : 10;
    if (churn) {
      network = network.withChurnDelayDrawn(random);
    }
    ClockParameters clocks = ClockParameters.draw(skews, options, random);
    disk = disk.withSlowDisksDrawn(churn, options, random);
    faults = faults.withCrashPointsDrawn(options, random);
    long tickNanos = TICK_NANOS_CHOICES[random.nextInt(TICK_NANOS_CHOICES.length)];
    if (churn) {
      tickNanos = 10 * MS;
    }
    int readers = random.nextInt(4);
    faults = faults.withFullDisksDrawn(options, random);
    WorkloadParameters workload = WorkloadParameters.drawCompactions(readers, random);
    ReplicaParameters replicas =
        new ReplicaParameters(
            tickNanos, electionTimeoutTicks, leaseReads, snapshotEveryEntries, churn);
    return new SimParameters(seed, replicas, network, disk, clocks, faults, workload);
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
    addIf(on, faults.partitions(), "partitions");
    addIf(on, faults.crashes(), "crashes");
    addIf(on, faults.pauses(), "pauses");
    addIf(on, network.dropProbability() > 0, "drops");
    addIf(on, network.duplicateProbability() > 0, "duplicates");
    addIf(on, faults.fsyncFailureProbability() > 0, "fsync-failures");
    addIf(on, clocks.driftNearBound(), "clock-drift");
    addIf(on, disk.slowDisks(), "slow-disks");
    addIf(on, faults.fullDisks(), "full-disks");
    addIf(on, replicas.churn(), "churn");
    return on;
  }

  private static void addIf(List<String> kinds, boolean on, String kind) {
    if (on) {
      kinds.add(kind);
    }
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
                + "inflight_appends_max=%d drift_near_bound=%b slow_disks=%b quick_restarts=%b "
                + "readers=%d full_disks=%b compact_every_ms=%d compact_retain_revisions=%d",
            seed,
            replicas.tickNanos() / MS,
            replicas.electionTimeoutTicks(),
            replicas.leaseReads(),
            replicas.snapshotEveryEntries(),
            network.delayMinNanos() / 1e6,
            network.delayMeanNanos() / 1e6,
            network.dropProbability(),
            network.duplicateProbability(),
            disk.fsyncMinNanos() / 1e6,
            disk.fsyncMeanNanos() / 1e6,
            faults.partitions(),
            faults.crashes(),
            faults.pauses(),
            faults.fsyncFailureProbability(),
            faults.nemesisMeanNanos() / 1e6,
            replicas.appendEntriesMax(),
            replicas.inflightAppendsMax(),
            clocks.driftNearBound(),
            disk.slowDisks(),
            faults.quickRestarts(),
            workload.readers(),
            faults.fullDisks(),
            workload.compactEveryNanos() / MS,
            workload.compactRetainRevisions()));
    List<String> sites = FaultParameters.CRASH_SITES;
    for (int site = 0; site < sites.size(); site++) {
      double probability = faults.crashPointProbabilities()[site];
      if (probability > 0) {
        line.append(String.format(" crash_after_%s=%.4f", sites.get(site), probability));
      }
    }
    for (int i = 0; i < clocks.skews().size(); i++) {
      ClockSkew skew = clocks.skew(i);
      line.append(
          String.format(
              " n%d_clock_offset_ms=%d n%d_drift_ppm=%d",
              i + 1, skew.offsetNanos() / MS, i + 1, skew.driftPpm()));
    }
    return line.toString();
  }

  /** An exponential draw with the given mean above a minimum: a latency with a tail. */
  static long latencyNanos(SplittableRandom random, long minNanos, long meanNanos) {
    double u = random.nextDouble();
    return minNanos + (long) (-Math.log(1 - u) * meanNanos);
  }
}
