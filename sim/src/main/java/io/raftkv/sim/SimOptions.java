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
 * @param clockDriftPpmMax the bound on any node's clock drift, parts per million; the default,
 *     5%, is within what the core's lease margin (clockDriftTicks 2 of a 10-tick election
 *     timeout) tolerates, 12.5% per clock
 * @param livenessElectionTimeouts after healing, a leader must commit within this many
 *     election timeouts
 * @param leaseReads whether the core serves reads from its lease: drawn per seed, or forced
 * @param bug a deliberate defect to inject, {@link Bug#NONE} for the real thing
 * @param reportDirectory where a violation's history and HTML report go
 * @param trace receives every event line ({@code --trace}); null for none
 */
public record SimOptions(int nodes, int ops, int clients, int keys, boolean faults,
    long clockDriftPpmMax, int livenessElectionTimeouts, LeaseReads leaseReads, Bug bug,
    Path reportDirectory, Consumer<String> trace) {

  /** Lease reads on or off for every seed, or drawn by each (the default). */
  public enum LeaseReads { DRAWN, ON, OFF }

  public SimOptions {
    if (nodes < 1 || ops < 0 || clients < 1 || keys < 1) {
      throw new IllegalArgumentException("sim options: nodes, clients and keys must be >= 1 and "
          + "ops >= 0");
    }
    if (clockDriftPpmMax < 0 || clockDriftPpmMax >= 100_000) {
      throw new IllegalArgumentException("sim options: clockDriftPpmMax must be in [0, 100000)");
    }
  }

  /** Five nodes, 1,000 operations by 5 clients on 4 keys, faults on, 5% drift bound. */
  public static SimOptions defaults() {
    return new SimOptions(5, 1000, 5, 4, true, 50_000, 30, LeaseReads.DRAWN, Bug.NONE,
        Path.of("target", "sim-reports"), null);
  }

  public SimOptions withNodes(int count) {
    return new SimOptions(count, ops, clients, keys, faults, clockDriftPpmMax,
        livenessElectionTimeouts, leaseReads, bug, reportDirectory, trace);
  }

  public SimOptions withOps(int count) {
    return new SimOptions(nodes, count, clients, keys, faults, clockDriftPpmMax,
        livenessElectionTimeouts, leaseReads, bug, reportDirectory, trace);
  }

  public SimOptions withClients(int count) {
    return new SimOptions(nodes, ops, count, keys, faults, clockDriftPpmMax,
        livenessElectionTimeouts, leaseReads, bug, reportDirectory, trace);
  }

  public SimOptions withFaults(boolean on) {
    return new SimOptions(nodes, ops, clients, keys, on, clockDriftPpmMax,
        livenessElectionTimeouts, leaseReads, bug, reportDirectory, trace);
  }

  public SimOptions withLeaseReads(LeaseReads mode) {
    return new SimOptions(nodes, ops, clients, keys, faults, clockDriftPpmMax,
        livenessElectionTimeouts, mode, bug, reportDirectory, trace);
  }

  public SimOptions withBug(Bug injected) {
    return new SimOptions(nodes, ops, clients, keys, faults, clockDriftPpmMax,
        livenessElectionTimeouts, leaseReads, injected, reportDirectory, trace);
  }

  public SimOptions withReportDirectory(Path directory) {
    return new SimOptions(nodes, ops, clients, keys, faults, clockDriftPpmMax,
        livenessElectionTimeouts, leaseReads, bug, directory, trace);
  }

  public SimOptions withTrace(Consumer<String> sink) {
    return new SimOptions(nodes, ops, clients, keys, faults, clockDriftPpmMax,
        livenessElectionTimeouts, leaseReads, bug, reportDirectory, sink);
  }
}
