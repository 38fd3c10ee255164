package io.raftkv.sim;

import io.raftkv.kv.KvLimits;
import io.raftkv.raft.Configuration;
import io.raftkv.raft.NodeId;
import io.raftkv.raft.RaftConfig;
import io.raftkv.replica.ReplicaConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * One seed, end to end, in the style of TigerBeetle's VOPR: draw every parameter from the seed, run
 * the real replicas on simulated seams through a safety phase under faults, heal everything and
 * require progress within a bounded number of election timeouts (the liveness phase), then judge:
 * Raft invariants (checked after every event), no acknowledged write lost, the linearizability of
 * what the clients saw, and the watchers' streams against the committed log. Everything random
 * descends from the seed by {@link SplittableRandom#split()}, one stream per component, so a seed
 * replays bit for bit.
 */
public final class Simulation {
  private static final long MS = 1_000_000;
  private static final long OP_TIMEOUT_NANOS = 3_000 * MS;
  private static final long FULL_CHECK_EVERY_EVENTS = 512;

  private final SimOptions options;
  private final SimParameters parameters;
  private final Scheduler scheduler;
  private final List<SimNode> nodes = new ArrayList<>();
  private final SimNetwork network;
  private final Nemesis nemesis;
  private final HistoryRecorder history;
  private final Workload workload;
  private final List<SimClient> clients = new ArrayList<>();
  private final ClusterChecker checker;
  private final SplittableRandom clientRandom;
  private final List<SimWatcher> watchers = new ArrayList<>();
  private final SimCompactor compactor;
  private final List<String> violations = new ArrayList<>();
  private int clientsRunning;

  private Simulation(long seed, SimOptions options) {
    SplittableRandom root = new SplittableRandom(seed);
    this.options = options;
    this.parameters = SimParameters.draw(seed, options, root.split());
    this.scheduler = new Scheduler(options.trace());
    this.network =
        new SimNetwork(
            scheduler, root.split(), parameters.network(), options.nodes(), n -> nodes.get(n - 1));
    SplittableRandom nodeRandom = root.split();
    Configuration voters = Configuration.of(ids(options.nodes()));
    for (NodeId id : ids(options.nodes())) {
      ClockSkew skew = parameters.clocks().skew(id.value() - 1);
      nodes.add(
          new SimNode(
              id,
              replicaConfig(id, voters),
              scheduler,
              nodeRandom.split(),
              parameters,
              network,
              options.bug(),
              new NodeClock(skew.offsetNanos(), skew.driftPpm())));
    }
    this.nemesis = new Nemesis(scheduler, root.split(), parameters, nodes, network);
    this.history = new HistoryRecorder(scheduler);
    this.workload = new Workload(options.ops(), options.keys());
    this.checker = new ClusterChecker(nodes, FULL_CHECK_EVERY_EVENTS);
    this.clientRandom = root.split();
    // Split last, so that adding watchers shifted no other component's draws.
    SplittableRandom watcherRandom = root.split();
    for (int i = 0; i < options.watchers(); i++) {
      watchers.add(
          new SimWatcher(
              "w" + (i + 1),
              scheduler,
              watcherRandom.split(),
              n -> nodes.get(n - 1),
              options.nodes(),
              options.keys()));
    }
    this.compactor =
        new SimCompactor(
            scheduler,
            nodes,
            parameters.workload().compactEveryNanos(),
            parameters.workload().compactRetainRevisions());
  }

  /** Runs one seed and returns its verdict; never throws for what the cluster does. */
  public static SimResult run(long seed, SimOptions options) {
    return new Simulation(seed, options).run();
  }

  private static List<NodeId> ids(int count) {
    List<NodeId> ids = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      ids.add(NodeId.of(i));
    }
    return ids;
  }

  private ReplicaConfig replicaConfig(NodeId id, Configuration voters) {
    RaftConfig raft =
        RaftConfig.builder(id, voters)
            .electionTimeoutTicks(parameters.replicas().electionTimeoutTicks())
            .clockDriftTicks(
                clockDriftTicksFor(
                    parameters.replicas().electionTimeoutTicks(),
                    options.clockDriftPpmMax(),
                    RaftConfig.CLOCK_DRIFT_TICKS_DEFAULT))
            .leaseReads(parameters.replicas().leaseReads())
            .appendEntriesMax(parameters.replicas().appendEntriesMax())
            .inflightAppendsMax(parameters.replicas().inflightAppendsMax())
            .build();
    ReplicaConfig defaults = ReplicaConfig.defaults(raft);
    return new ReplicaConfig(
        raft,
        java.time.Duration.ofNanos(parameters.replicas().tickNanos()),
        parameters.replicas().snapshotEveryEntries(),
        defaults.pendingWritesMax(),
        defaults.pendingReadsMax(),
        kvLimits());
  }

  /** The state machine's limits on every node, and on the watch check's reference replay. */
  KvLimits kvLimits() {
    return KvLimits.defaults();
  }

  /**
   * The lease margin a drift bound b needs, as an operator would configure it (docs/raft.md,
   * leases): a lease of L ticks on a clock 1 - b slow must end before a voter whose clock runs 1 +
   * b fast has counted electionTimeout - 1 ticks, so L <= (electionTimeout - 1)(1 - b) / (1 + b).
   * Never below the core's default, so that small bounds test the shipped setting.
   */
  static int clockDriftTicksFor(int electionTimeoutTicks, long driftPpmMax, int defaultTicks) {
    double bound = driftPpmMax / 1e6;
    int leaseTicksMax = (int) Math.floor((electionTimeoutTicks - 1) * (1 - bound) / (1 + bound));
    return Math.max(defaultTicks, electionTimeoutTicks - 1 - leaseTicksMax);
  }

  private long electionTimeoutNanos() {
    return parameters.replicas().electionTimeoutNanos();
  }

  private SimResult run() {
    scheduler.note("parameters: " + parameters.describe());
    try {
      nodes.forEach(SimNode::start);
      safetyPhase();
      livenessPhase();
      watchers.forEach(SimWatcher::stop);
      checker.fullCheck();
    } catch (RuntimeException | Error e) {
      if (e instanceof VirtualMachineError || e instanceof LinkageError) {
        // the JVM or the build is broken, not the cluster
        throw e;
      }
      // SafetyViolation, an invariant of the core or the state machine, or a crash of the
      // replica's code on some event: all are the cluster failing, reported with the seed.
      violations.add("safety: " + e + where(e));
      scheduler.note("violation: " + e + where(e));
    }
    return Verdicts.judge(this);
  }

  /** The innermost frames of our code that threw: where to start reading. */
  private static String where(Throwable e) {
    StringBuilder at = new StringBuilder();
    int frames = 0;
    for (StackTraceElement frame : e.getStackTrace()) {
      if (frame.getClassName().startsWith("io.raftkv.") && frames++ < 3) {
        at.append(" at ")
            .append(frame.getClassName().replace("io.raftkv.", ""))
            .append('.')
            .append(frame.getMethodName())
            .append(':')
            .append(frame.getLineNumber());
      }
    }
    return at.toString();
  }

  /** Clients run their operations while the nemesis attacks. */
  private void safetyPhase() {
    scheduler.note("safety phase: " + options.ops() + " ops, faults " + parameters.faultsOn());
    for (int i = 0; i < options.clients(); i++) {
      start(client("c" + (i + 1), OP_TIMEOUT_NANOS));
    }
    for (int i = 0; i < parameters.workload().readers(); i++) {
      start(client("r" + (i + 1), OP_TIMEOUT_NANOS).readingOnly());
    }
    watchers.forEach(SimWatcher::start);
    compactor.start();
    nemesis.start();
    // Bounded: every operation ends within its timeout, sessions retry within the same bound.
    long limit = scheduler.nowNanos() + (options.ops() + 10L) * OP_TIMEOUT_NANOS;
    runUntil(() -> clientsRunning == 0, limit);
    nemesis.stop();
    compactor.stop();
  }

  /** A workload client on its own split of the clients' random stream. */
  private SimClient client(String name, long opTimeoutNanos) {
    return new SimClient(
        name,
        scheduler,
        clientRandom.split(),
        n -> nodes.get(n - 1),
        options.nodes(),
        workload,
        history,
        opTimeoutNanos);
  }

  private void start(SimClient client) {
    clients.add(client);
    clientsRunning++;
    client.run(() -> clientsRunning--);
  }

  /**
   * Heal every fault and restart every node; a leader must then commit a write within {@code
   * livenessElectionTimeouts} election timeouts, and every node catch up with it.
   */
  private void livenessPhase() {
    network.healAll();
    long resumeAt = scheduler.nowNanos();
    for (SimNode node : nodes) {
      node.healDisk();
      resumeAt = Math.max(resumeAt, node.clock().pausedUntilNanos());
    }
    runUntil(() -> false, resumeAt);
    nodes.stream().filter(n -> !n.up()).forEach(SimNode::start);
    scheduler.note("liveness phase: healed, all nodes up");
    long bound = options.livenessElectionTimeouts() * electionTimeoutNanos();
    SimClient probe = client("probe", bound);
    boolean[] probeDone = {false};
    probe.runOneWrite(() -> probeDone[0] = true);
    long deadline = scheduler.nowNanos() + bound;
    runUntil(() -> probeDone[0], deadline);
    if (!probe.probeSucceeded()) {
      violations.add(
          "liveness: no write committed within "
              + options.livenessElectionTimeouts()
              + " election timeouts after healing");
      return;
    }
    runUntil(
        () -> clientsRunning == 0 && converged(), scheduler.nowNanos() + OP_TIMEOUT_NANOS + bound);
    if (clientsRunning > 0 || !converged()) {
      violations.add(
          "liveness: "
              + (clientsRunning > 0 ? clientsRunning + " clients stuck; " : "")
              + "nodes did not converge: "
              + appliedIndexes());
    }
  }

  /** Every node is up and has applied everything any node knows committed. */
  private boolean converged() {
    long commit = 0;
    for (SimNode node : nodes) {
      if (!node.up()) {
        return false;
      }
      commit = Math.max(commit, node.core().commitIndex());
    }
    for (SimNode node : nodes) {
      if (node.core().appliedIndex() < commit) {
        return false;
      }
    }
    return true;
  }

  private String appliedIndexes() {
    StringBuilder line = new StringBuilder();
    for (SimNode node : nodes) {
      line.append(node.id())
          .append(
              node.up()
                  ? " commit="
                      + node.core().commitIndex()
                      + " applied="
                      + node.core().appliedIndex()
                  : " down")
          .append("; ");
    }
    return line.toString();
  }

  /** Runs events until {@code done} or {@code deadlineNanos}, checking after each. */
  void runUntil(BooleanSupplier done, long deadlineNanos) {
    while (!done.getAsBoolean() && scheduler.nextTimeNanos() <= deadlineNanos) {
      scheduler.runNext();
      checker.afterEvent();
    }
  }

  // ------------------------------------------------------------------ for Verdicts

  SimOptions options() {
    return options;
  }

  SimParameters parameters() {
    return parameters;
  }

  Scheduler scheduler() {
    return scheduler;
  }

  List<SimNode> nodes() {
    return nodes;
  }

  HistoryRecorder history() {
    return history;
  }

  Workload workload() {
    return workload;
  }

  Nemesis nemesis() {
    return nemesis;
  }

  List<SimWatcher> watchers() {
    return watchers;
  }

  /** Every entry any node held as committed, by index. */
  java.util.Map<Long, io.raftkv.raft.Entry> committed() {
    return checker.committed();
  }

  List<String> violations() {
    return violations;
  }
}
