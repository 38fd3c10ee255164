package io.raftkv.cli;

import io.raftkv.raft.CoreLog;
import io.raftkv.raft.Entry;
import io.raftkv.raft.NodeId;
import io.raftkv.raft.ProposeResult;
import io.raftkv.raft.RaftNode;
import io.raftkv.raft.Role;
import io.raftkv.raft.testkit.InMemoryCluster;
import io.raftkv.raft.testkit.SafetyViolation;
import io.raftkv.sim.SimOptions;
import io.raftkv.sim.SimResult;
import io.raftkv.sim.Simulation;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code raftkv raft-demo}, the in-process demonstration of the Raft core (the first demo, before
 * real processes could be broken; {@code raftkv demo} is a chaos run now): a seeded in-memory
 * cluster elects a leader, replicates, loses its leader to a partition, elects another, heals, and
 * shows that no acknowledged command was lost. Same seed, same output.
 */
@Command(
    name = "raft-demo",
    mixinStandardHelpOptions = true,
    description =
        "Run an in-memory Raft cluster through a leader partition and check that no "
            + "committed entry is lost.")
final class DemoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--seed",
      description =
          "Seed for the network and the election timers " + "(default: ${DEFAULT-VALUE}).",
      defaultValue = "1")
  long seed;

  @Option(
      names = "--nodes",
      description = "Cluster size, 3 to 7 (default: ${DEFAULT-VALUE}).",
      defaultValue = "5")
  int nodeCount;

  @Option(
      names = "--commands",
      description = "Commands proposed in each phase " + "(default: ${DEFAULT-VALUE}).",
      defaultValue = "20")
  int commandsPerPhase;

  @Option(names = "--verbose", description = "Also print every node's role and term changes.")
  boolean verbose;

  @Option(
      names = "--sim-seeds",
      description =
          "Then simulate this many seeds (from --seed) of "
              + "the real replicas under faults, judged by the checker; 0 skips it "
              + "(default: ${DEFAULT-VALUE}).",
      defaultValue = "3")
  int simSeeds;

  private PrintWriter out;
  private InMemoryCluster cluster;
  private int round;
  private long firstTerm;

  /** Every command the cluster acknowledged, as (index, term, payload) entries. */
  private final List<Entry> acknowledged = new ArrayList<>();

  @Override
  public Integer call() {
    if (nodeCount < 3 || nodeCount > 7) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "--nodes must be between 3 and 7, got " + nodeCount);
    }
    if (simSeeds < 0 || simSeeds > 1000) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "--sim-seeds must be between 0 and 1000, got " + simSeeds);
    }
    if (commandsPerPhase < 1 || commandsPerPhase > 10_000) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "--commands must be between 1 and 10000, got " + commandsPerPhase);
    }
    out = spec.commandLine().getOut();
    cluster =
        InMemoryCluster.create(
            nodeCount, seed, b -> b, id -> verbose ? new TranscriptLog(out) : CoreLog.SILENT);
    out.printf("raftkv raft-demo: %d-node in-memory Raft cluster, seed %d%n", nodeCount, seed);
    int core;
    try {
      core = runScenario();
    } catch (SafetyViolation | IllegalStateException e) {
      out.println("verdict: FAILED: " + e.getMessage());
      out.flush();
      return 1;
    }
    return core != 0 ? core : simulate();
  }

  /**
   * The real replicas (core, WAL, state machine) under the deterministic simulator's faults, each
   * seed judged on Raft invariants, lost or doubled writes and linearizability. Only deterministic
   * figures are printed, so a seed's transcript replays byte for byte.
   */
  private int simulate() {
    if (simSeeds == 0) {
      return 0;
    }
    out.printf(
        "%nsimulation: %d seed(s) of %d real replicas under faults (raftkv sim)%n", simSeeds, 5);
    int violations = 0;
    int ops = 0;
    for (long s = seed; s < seed + simSeeds; s++) {
      SimResult result = Simulation.run(s, SimOptions.defaults().withOps(300));
      ops += result.ops();
      violations += result.violations().size();
      out.printf(
          "  seed=%d ops=%d ok=%d fail=%d info=%d faults=%s %s trace_hash=%016x%n",
          s,
          result.ops(),
          result.ok(),
          result.fail(),
          result.info(),
          String.join(",", result.faultsOn()),
          result.passed() ? "verdict=OK" : "verdict=VIOLATION " + result.violations(),
          result.traceHash());
    }
    if (violations > 0) {
      out.printf("verdict: FAILED: %d violation(s) in the simulation%n", violations);
      return 1;
    }
    out.printf(
        "verdict: OK: %d simulated seed(s), %d operations, linearizable, no "
            + "acknowledged write lost or applied twice, Raft invariants held%n",
        simSeeds, ops);
    return 0;
  }

  private int runScenario() {
    RaftNode first = awaitLeader("elected leader");
    commit(first, "c", "replicated");

    NodeId isolated = first.id();
    firstTerm = first.currentTerm();
    cluster.isolate(isolated);
    event("partitioned leader %s away from the others", isolated);
    int doomed = Math.max(1, commandsPerPhase / 4);
    for (int i = 0; i < doomed; i++) {
      first.propose(("doomed-" + i).getBytes());
    }
    event("proposed %d commands to the isolated %s: it cannot commit them", doomed, isolated);

    RaftNode second = awaitLeader("elected leader by the majority");
    commit(second, "d", "majority committed");

    cluster.heal();
    event("healed the partition");
    long leaderLast = second.lastIndex();
    runUntil(
        isolated + " catches up",
        () ->
            cluster
                .node(isolated)
                .map(node -> node.role() == Role.FOLLOWER && node.commitIndex() >= leaderLast)
                .orElse(false));
    RaftNode rejoined = cluster.node(isolated).orElseThrow();
    event(
        "%s is a follower in term %d again and has committed through index %d",
        isolated, rejoined.currentTerm(), rejoined.commitIndex());
    long remaining = countDoomedEntries(rejoined);
    event(
        "its %d uncommitted commands of term %d were overwritten by the new leader's log "
            + "(%d remain); none had been acknowledged",
        doomed, firstTerm, remaining);
    return verdict();
  }

  private RaftNode awaitLeader(String what) {
    runUntil("a leader", () -> cluster.leader().filter(this::leadsMajority).isPresent());
    RaftNode leader = cluster.leader().orElseThrow();
    event("%s %s (term %d)", leader.id(), what, leader.currentTerm());
    return leader;
  }

  /** A leader in the partition's majority side, not the stale one cut off from it. */
  private boolean leadsMajority(RaftNode leader) {
    long reachable =
        cluster.ids().stream()
            .filter(id -> id.equals(leader.id()) || !cluster.isCut(leader.id(), id))
            .count();
    return reachable * 2 > cluster.ids().size();
  }

  private void commit(RaftNode leader, String prefix, String what) {
    List<ProposeResult.Accepted> accepted = new ArrayList<>();
    List<byte[]> payloads = new ArrayList<>();
    for (int i = 0; i < commandsPerPhase; i++) {
      byte[] payload = (prefix + "-" + i).getBytes();
      ProposeResult result = leader.propose(payload);
      if (!(result instanceof ProposeResult.Accepted ok)) {
        throw new IllegalStateException("leader " + leader.id() + " refused a proposal: " + result);
      }
      accepted.add(ok);
      payloads.add(payload);
    }
    long last = accepted.get(accepted.size() - 1).lastIndex();
    long term = accepted.get(0).term();
    // Followers learn the commit index from the next heartbeat; wait for all that can hear it.
    runUntil(
        "commands committed on every reachable node",
        () ->
            cluster.isCommitted(last, term)
                && cluster.upNodes().stream()
                    .filter(n -> !cluster.isCut(leader.id(), n.id()))
                    .allMatch(n -> n.commitIndex() >= last));
    for (int i = 0; i < accepted.size(); i++) {
      acknowledged.add(Entry.command(term, accepted.get(i).firstIndex(), payloads.get(i)));
    }
    long holders = cluster.upNodes().stream().filter(n -> n.commitIndex() >= last).count();
    event(
        "%s %d commands: committed through index %d on %d of %d nodes",
        what, commandsPerPhase, last, holders, nodeCount);
  }

  private long countDoomedEntries(RaftNode node) {
    long count = 0;
    for (long index = node.firstIndex(); index <= node.lastIndex(); index++) {
      Optional<Entry> entry = node.entry(index);
      if (entry.isPresent() && new String(entry.get().data()).startsWith("doomed-")) {
        count++;
      }
    }
    return count;
  }

  /** Every acknowledged command sits at its index on every node; nothing else was applied. */
  private int verdict() {
    for (RaftNode node : cluster.upNodes()) {
      for (Entry expected : acknowledged) {
        Optional<Entry> found = node.entry(expected.index());
        if (found.isEmpty() || !found.get().equals(expected)) {
          out.printf(
              "verdict: FAILED: %s lost acknowledged %s (holds %s)%n",
              node.id(), expected, found.orElse(null));
          return 1;
        }
      }
    }
    out.printf(
        "verdict: OK: %d acknowledged commands are on all %d nodes at the same indexes; "
            + "no committed entry was lost (%d messages delivered)%n",
        acknowledged.size(), nodeCount, cluster.messagesDelivered());
    return 0;
  }

  private void runUntil(String what, java.util.function.BooleanSupplier condition) {
    int rounds = cluster.runUntil(what, condition, 500);
    round += rounds;
  }

  private void event(String format, Object... args) {
    out.printf("[round %4d] %s%n", round, String.format(format, args));
  }

  /** Prints the core's INFO lines (role, term, snapshot events) for --verbose. */
  private record TranscriptLog(PrintWriter out) implements CoreLog {
    @Override
    public boolean debugEnabled() {
      return false;
    }

    @Override
    public void info(String line) {
      out.printf("             %s%n", line);
    }

    @Override
    public void debug(String line) {}
  }
}
