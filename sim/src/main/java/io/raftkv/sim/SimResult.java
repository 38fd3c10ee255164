package io.raftkv.sim;

import java.nio.file.Path;
import java.util.List;

/**
 * One seed's verdict and figures.
 *
 * @param seed the seed; {@code raftkv sim --seed S --trace} replays it
 * @param parameters every parameter drawn from the seed, as one key=value line
 * @param violations what was violated, one line each (safety, linearizability, liveness, lost
 *     acknowledged writes); empty when the seed passed
 * @param linearizability the checker's verdict line
 * @param ops operations in the history; {@code ok + fail + info} of them completed
 * @param watchEvents events the watchers received, each checked against the committed log
 * @param simNanos simulated time the run covered
 * @param events scheduler events run
 * @param traceHash the hash of every event's time and description: equal for equal runs
 * @param faultsOn the fault kinds this seed drew (swarm testing), e.g. partitions, crashes
 * @param faults the faults that struck (counts)
 * @param report the HTML report of a violation, or null
 */
public record SimResult(
    long seed,
    String parameters,
    List<String> violations,
    String linearizability,
    int ops,
    int ok,
    int fail,
    int info,
    long watchEvents,
    long simNanos,
    long events,
    long traceHash,
    List<String> faultsOn,
    String faults,
    Path report) {

  public SimResult {
    violations = List.copyOf(violations);
    faultsOn = List.copyOf(faultsOn);
  }

  public boolean passed() {
    return violations.isEmpty();
  }
}
