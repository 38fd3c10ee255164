package io.raftkv.sim;

import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * What a run is asked to do; everything else is drawn from the seed ({@link SimParameters}).
 *
 * @param nodes cluster size
 * @param ops client operations in the safety phase, all clients together
 * @param clients concurrent clients
 * @param keys keys the workload touches (few, so that operations conflict)
 * @param faults whether the safety phase attacks the cluster (each seed draws its own mix)
 * @param clockDriftPpmMax the bound on any node's clock drift, parts per million; the default, 5%,
 *     is within what the core's lease margin (clockDriftTicks 2 of a 10-tick election timeout)
 *     tolerates, 12.5% per clock
 * @param livenessElectionTimeouts after healing, a leader must commit within this many election
 *     timeouts
 * @param leaseReads whether the core serves reads from its lease: drawn per seed, or forced
 * @param bug a deliberate defect to inject, {@link Bug#NONE} for the real thing
 * @param reportDirectory where a violation's history and HTML report go
 * @param trace receives every event line ({@code --trace}); null for none
 * @param watchers watch clients ({@code --watchers}), each checked against the committed log
 * @param faultKinds the faults seeds may draw ({@code --faults}), among {@link #FAULT_KINDS}; a
 *     fault left out is off in every seed, and the others are drawn as usual
 * @param forcedFaults the faults on in every seed ({@code --always}) instead of drawn
 */
public record SimOptions(
    int nodes,
    int ops,
    int clients,
    int keys,
    boolean faults,
    long clockDriftPpmMax,
    int livenessElectionTimeouts,
    LeaseReads leaseReads,
    Bug bug,
    Path reportDirectory,
    Consumer<String> trace,
    java.util.Set<String> faultKinds,
    java.util.Set<String> forcedFaults,
    int watchers) {

  /** Every fault a seed can draw, as {@code --faults} and {@code faults_share} name them. */
  public static final java.util.List<String> FAULT_KINDS =
      java.util.List.of(
          "partitions",
          "crashes",
          "pauses",
          "drops",
          "duplicates",
          "fsync-failures",
          "clock-drift",
          "slow-disks",
          "full-disks",
          "churn");

  /** Lease reads on or off for every seed, or drawn by each (the default). */
  public enum LeaseReads {
    DRAWN,
    ON,
    OFF
  }

  public SimOptions {
    if (nodes < 1 || ops < 0 || clients < 1 || keys < 1 || watchers < 0) {
      throw new IllegalArgumentException(
          "sim options: nodes, clients and keys must be >= 1, " + "ops and watchers >= 0");
    }
    faultKinds = java.util.Set.copyOf(faultKinds);
    forcedFaults = java.util.Set.copyOf(forcedFaults);
    java.util.Set<String> named = new java.util.HashSet<>(faultKinds);
    named.addAll(forcedFaults);
    for (String kind : named) {
      if (!FAULT_KINDS.contains(kind)) {
        throw new IllegalArgumentException(
            "sim options: unknown fault "
                + kind
                + " (known: "
                + String.join(",", FAULT_KINDS)
                + ")");
      }
    }
    if (clockDriftPpmMax < 0 || clockDriftPpmMax >= 500_000) {
      throw new IllegalArgumentException("sim options: clockDriftPpmMax must be in [0, 500000)");
    }
  }

  /** Five nodes, 1,000 operations by 5 clients on 4 keys, 2 watchers, faults on, 5% drift. */
  public static SimOptions defaults() {
    return new SimOptions(
        5,
        1000,
        5,
        4,
        true,
        50_000,
        30,
        LeaseReads.DRAWN,
        Bug.NONE,
        Path.of("target", "sim-reports"),
        null,
        java.util.Set.copyOf(FAULT_KINDS),
        java.util.Set.of(),
        2);
  }

  public SimOptions withNodes(int count) {
    return new SimOptions(
        count,
        ops,
        clients,
        keys,
        faults,
        clockDriftPpmMax,
        livenessElectionTimeouts,
        leaseReads,
        bug,
        reportDirectory,
        trace,
        faultKinds,
        forcedFaults,
        watchers);
  }

  public SimOptions withOps(int count) {
    return new SimOptions(
        nodes,
        count,
        clients,
        keys,
        faults,
        clockDriftPpmMax,
        livenessElectionTimeouts,
        leaseReads,
        bug,
        reportDirectory,
        trace,
        faultKinds,
        forcedFaults,
        watchers);
  }

  public SimOptions withClients(int count) {
    return new SimOptions(
        nodes,
        ops,
        count,
        keys,
        faults,
        clockDriftPpmMax,
        livenessElectionTimeouts,
        leaseReads,
        bug,
        reportDirectory,
        trace,
        faultKinds,
        forcedFaults,
        watchers);
  }

  public SimOptions withFaults(boolean on) {
    return new SimOptions(
        nodes,
        ops,
        clients,
        keys,
        on,
        clockDriftPpmMax,
        livenessElectionTimeouts,
        leaseReads,
        bug,
        reportDirectory,
        trace,
        faultKinds,
        forcedFaults,
        watchers);
  }

  public SimOptions withLeaseReads(LeaseReads mode) {
    return new SimOptions(
        nodes,
        ops,
        clients,
        keys,
        faults,
        clockDriftPpmMax,
        livenessElectionTimeouts,
        mode,
        bug,
        reportDirectory,
        trace,
        faultKinds,
        forcedFaults,
        watchers);
  }

  public SimOptions withBug(Bug injected) {
    return new SimOptions(
        nodes,
        ops,
        clients,
        keys,
        faults,
        clockDriftPpmMax,
        livenessElectionTimeouts,
        leaseReads,
        injected,
        reportDirectory,
        trace,
        faultKinds,
        forcedFaults,
        watchers);
  }

  public SimOptions withReportDirectory(Path directory) {
    return new SimOptions(
        nodes,
        ops,
        clients,
        keys,
        faults,
        clockDriftPpmMax,
        livenessElectionTimeouts,
        leaseReads,
        bug,
        directory,
        trace,
        faultKinds,
        forcedFaults,
        watchers);
  }

  public SimOptions withTrace(Consumer<String> sink) {
    return new SimOptions(
        nodes,
        ops,
        clients,
        keys,
        faults,
        clockDriftPpmMax,
        livenessElectionTimeouts,
        leaseReads,
        bug,
        reportDirectory,
        sink,
        faultKinds,
        forcedFaults,
        watchers);
  }

  /** The bound on every node's clock drift, in parts per million ({@code --clock-drift-ppm}). */
  public SimOptions withClockDriftPpmMax(long ppm) {
    return new SimOptions(
        nodes,
        ops,
        clients,
        keys,
        faults,
        ppm,
        livenessElectionTimeouts,
        leaseReads,
        bug,
        reportDirectory,
        trace,
        faultKinds,
        forcedFaults,
        watchers);
  }

  /** Only these faults may be drawn ({@code --faults partitions,crashes}). */
  public SimOptions withFaultKinds(java.util.Set<String> kinds) {
    return new SimOptions(
        nodes,
        ops,
        clients,
        keys,
        faults,
        clockDriftPpmMax,
        livenessElectionTimeouts,
        leaseReads,
        bug,
        reportDirectory,
        trace,
        kinds,
        forcedFaults,
        watchers);
  }

  /**
   * These faults are on in every seed ({@code --always churn,crashes}), instead of drawn; each must
   * also be allowed. For teeth: a switch whose window needs one fault need not wait for the seeds
   * that draw it.
   */
  public SimOptions withForcedFaults(java.util.Set<String> kinds) {
    return new SimOptions(
        nodes,
        ops,
        clients,
        keys,
        faults,
        clockDriftPpmMax,
        livenessElectionTimeouts,
        leaseReads,
        bug,
        reportDirectory,
        trace,
        faultKinds,
        kinds,
        watchers);
  }

  public SimOptions withWatchers(int count) {
    return new SimOptions(
        nodes,
        ops,
        clients,
        keys,
        faults,
        clockDriftPpmMax,
        livenessElectionTimeouts,
        leaseReads,
        bug,
        reportDirectory,
        trace,
        faultKinds,
        forcedFaults,
        count);
  }

  /** Whether every seed has the fault {@code kind} on. */
  boolean forces(String kind) {
    return allows(kind) && forcedFaults.contains(kind);
  }

  /** Whether seeds may draw the fault {@code kind}. */
  boolean allows(String kind) {
    return faults && faultKinds.contains(kind);
  }

  /**
   * Whether the fault {@code kind} is on in a seed: drawn, or forced ({@code --always}), and
   * allowed. The caller makes the draw whatever the options say, so that they shift no other
   * parameter.
   */
  boolean faultOn(String kind, boolean drawn) {
    return allows(kind) && (drawn || forces(kind));
  }
}
