package io.raftkv.raft.testkit;

import io.raftkv.raft.Configuration;
import io.raftkv.raft.CoreBug;
import io.raftkv.raft.CoreLog;
import io.raftkv.raft.DurableState;
import io.raftkv.raft.Entry;
import io.raftkv.raft.EntryType;
import io.raftkv.raft.Message;
import io.raftkv.raft.NodeId;
import io.raftkv.raft.ProposeResult;
import io.raftkv.raft.RaftConfig;
import io.raftkv.raft.RaftNode;
import io.raftkv.raft.ReadState;
import io.raftkv.raft.Ready;
import io.raftkv.raft.Rng;
import io.raftkv.raft.Role;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Several {@link RaftNode}s wired through a seeded in-memory network and simulated disks, driven
 * one explicit step at a time: the same seed and the same calls replay the same run. Used by the
 * core's tests and {@code raftkv demo}: test code, published in raft's test-jar so that no
 * production jar holds it. Not the full simulator (that runs the replica); this drives the core
 * alone.
 */
public final class InMemoryCluster {
  /** One member: its disk outlives crashes, everything else does not. */
  private static final class Member {
    final RaftConfig config;
    final SimulatedDisk disk = new SimulatedDisk();
    RaftNode node;
    Ready pending;
    long appliedIndex;
    int incarnation;
    final List<ReadState> readsServed = new ArrayList<>();

    Member(RaftConfig config) {
      this.config = config;
    }
  }

  private record Link(NodeId from, NodeId to) {}

  private record ReadKey(NodeId node, long requestId) {}

  private final long seed;
  private final Set<CoreBug> bugs;
  private final SplittableRandom random;
  private final TreeMap<NodeId, Member> members = new TreeMap<>();
  private final ArrayList<Message> network = new ArrayList<>();
  private final Set<Link> cutLinks = new HashSet<>();
  private final SafetyChecker safety = new SafetyChecker();
  private final Function<NodeId, CoreLog> logs;
  private boolean checkEveryStep = true;
  private Consumer<Message> deliveryObserver = message -> {};
  private long messagesDelivered;

  /** Highest index any node ever applied: every write acknowledged so far is at or below it. */
  private long appliedAnywhereIndex;

  /** For each accepted read, {@link #appliedAnywhereIndex} when it was asked. */
  private final java.util.Map<ReadKey, Long> readFloors = new java.util.HashMap<>();

  /**
   * @param configs one config per node, built from the same voter set
   * @param logs each node's logger (by id)
   */
  public InMemoryCluster(long seed, List<RaftConfig> configs, Function<NodeId, CoreLog> logs) {
    this(seed, configs, logs, Set.of());
  }

  /** A cluster whose nodes carry deliberate {@code bugs} (see {@link CoreBug}). */
  public InMemoryCluster(
      long seed, List<RaftConfig> configs, Function<NodeId, CoreLog> logs, Set<CoreBug> bugs) {
    this.bugs = Set.copyOf(bugs);
    this.seed = seed;
    this.random = new SplittableRandom(seed);
    this.logs = logs;
    for (RaftConfig config : configs) {
      Member member = new Member(config);
      members.put(config.id(), member);
      start(member);
    }
  }

  /** {@code count} nodes n1..nN with default configs adjusted by {@code tune}. */
  public static InMemoryCluster create(
      int count,
      long seed,
      Function<RaftConfig.Builder, RaftConfig.Builder> tune,
      Function<NodeId, CoreLog> logs) {
    return create(count, seed, tune, logs, Set.of());
  }

  public static InMemoryCluster create(
      int count,
      long seed,
      Function<RaftConfig.Builder, RaftConfig.Builder> tune,
      Function<NodeId, CoreLog> logs,
      Set<CoreBug> bugs) {
    int[] ids = new int[count];
    for (int i = 0; i < count; i++) {
      ids[i] = i + 1;
    }
    Configuration voters = Configuration.ofIds(ids);
    List<RaftConfig> configs = new ArrayList<>();
    for (NodeId id : voters.voters()) {
      configs.add(tune.apply(RaftConfig.builder(id, voters)).build());
    }
    return new InMemoryCluster(seed, configs, logs, bugs);
  }

  public static InMemoryCluster create(int count, long seed) {
    return create(count, seed, b -> b, id -> CoreLog.SILENT);
  }

  private void start(Member member) {
    DurableState durable = member.disk.durableState();
    long rngSeed = seed * 1_000_003L + member.config.id().value() * 7919L + member.incarnation;
    member.node =
        new RaftNode(
            member.config, durable, Rng.seeded(rngSeed), logs.apply(member.config.id()), bugs);
    member.pending = null;
    member.appliedIndex = durable.snapshot().map(s -> s.index()).orElse(0L);
    member.incarnation++;
  }

  /** Skipping the per-step safety check makes long benchmark runs cheap. */
  public InMemoryCluster checkEveryStep(boolean enabled) {
    checkEveryStep = enabled;
    return this;
  }

  // ------------------------------------------------------------------ nodes

  public Set<NodeId> ids() {
    return members.keySet();
  }

  public Optional<RaftNode> node(NodeId id) {
    return Optional.ofNullable(member(id).node);
  }

  public boolean isUp(NodeId id) {
    return member(id).node != null;
  }

  public List<RaftNode> upNodes() {
    List<RaftNode> up = new ArrayList<>();
    for (Member member : members.values()) {
      if (member.node != null) {
        up.add(member.node);
      }
    }
    return up;
  }

  /** The up node that is leader in the highest term, if any. */
  public Optional<RaftNode> leader() {
    RaftNode best = null;
    for (RaftNode node : upNodes()) {
      if (node.role() == Role.LEADER && (best == null || node.currentTerm() > best.currentTerm())) {
        best = node;
      }
    }
    return Optional.ofNullable(best);
  }

  public SafetyChecker safety() {
    return safety;
  }

  public long appliedIndex(NodeId id) {
    return member(id).appliedIndex;
  }

  public List<ReadState> readsServed(NodeId id) {
    return member(id).readsServed;
  }

  public long messagesDelivered() {
    return messagesDelivered;
  }

  private Member member(NodeId id) {
    Member member = members.get(id);
    if (member == null) {
      throw new IllegalArgumentException("no node " + id);
    }
    return member;
  }

  // ------------------------------------------------------------------ steps

  public void tick(NodeId id) {
    Member member = member(id);
    if (member.node != null) {
      member.node.tick();
      afterStep();
    }
  }

  public void tickAll() {
    for (NodeId id : members.keySet()) {
      tick(id);
    }
  }

  /**
   * Asks {@code id} for a linearizable read. When it is served, its read index must cover every
   * entry any node had applied by now, or the read could miss an acknowledged write: that is
   * checked as a {@link SafetyViolation}.
   */
  public Optional<ProposeResult.Rejected> readIndex(NodeId id, long requestId) {
    RaftNode node = member(id).node;
    if (node == null) {
      throw new IllegalStateException(id + " is down");
    }
    Optional<ProposeResult.Rejected> rejected = node.readIndex(requestId);
    if (rejected.isEmpty()) {
      readFloors.put(new ReadKey(id, requestId), appliedAnywhereIndex);
    }
    return rejected;
  }

  public ProposeResult propose(NodeId id, byte[] command) {
    RaftNode node = member(id).node;
    if (node == null) {
      throw new IllegalStateException(id + " is down");
    }
    ProposeResult result = node.propose(command);
    afterStep();
    return result;
  }

  /** Runs a node's pending Ready to completion: send, persist, send, apply, advance. */
  public boolean process(NodeId id) {
    boolean began = beginReady(id);
    if (member(id).pending != null) {
      finishReady(id);
    }
    return began;
  }

  public void processAll() {
    for (NodeId id : members.keySet()) {
      process(id);
    }
  }

  /** First half of a Ready: take it and send what may leave before the disk write. */
  public boolean beginReady(NodeId id) {
    Member member = member(id);
    if (member.node == null || member.pending != null || !member.node.hasReady()) {
      return false;
    }
    Ready ready = member.node.ready();
    member.pending = ready;
    ready.sendNow().forEach(this::send);
    return true;
  }

  /** Second half: persist, send acknowledgements, apply, advance. A crash before loses it all. */
  public void finishReady(NodeId id) {
    Member member = member(id);
    Ready ready = member.pending;
    if (member.node == null || ready == null) {
      return;
    }
    member.disk.persist(ready);
    ready.sendAfterPersist().forEach(this::send);
    ready.snapshotToInstall().ifPresent(s -> member.appliedIndex = s.index());
    for (Entry entry : ready.committed()) {
      if (entry.index() != member.appliedIndex + 1) {
        throw new SafetyViolation(id + " applied " + entry + " after " + member.appliedIndex);
      }
      safety.onApplied(id, member.node.currentTerm(), entry);
      member.appliedIndex = entry.index();
    }
    appliedAnywhereIndex = Math.max(appliedAnywhereIndex, member.appliedIndex);
    for (ReadState read : ready.readsReady()) {
      Long floor = readFloors.remove(new ReadKey(id, read.requestId()));
      if (floor != null && read.readIndex() < floor) {
        throw new SafetyViolation(
            "stale read: "
                + id
                + " served read "
                + read.requestId()
                + " at index "
                + read.readIndex()
                + " but index "
                + floor
                + " was already applied when it was asked");
      }
    }
    member.readsServed.addAll(ready.readsReady());
    member.pending = null;
    member.node.advance(ready);
    afterStep();
  }

  /** The node snapshots its state machine at its applied index and compacts its log. */
  public void compact(NodeId id) {
    Member member = member(id);
    if (member.node == null
        || member.appliedIndex <= member.node.snapshot().map(s -> s.index()).orElse(0L)
        || member.node.appliedIndex() < member.appliedIndex) {
      return;
    }
    long index = member.node.appliedIndex();
    member.node.compact(index, ("image-through-" + index).getBytes());
    member.node.snapshot().ifPresent(member.disk::saveSnapshot);
    afterStep();
  }

  /** kill -9: unpersisted state and the pending Ready are gone; the disk stays. */
  public void crash(NodeId id) {
    Member member = member(id);
    member.node = null;
    member.pending = null;
  }

  public void restart(NodeId id) {
    Member member = member(id);
    if (member.node == null) {
      start(member);
      afterStep();
    }
  }

  private void afterStep() {
    if (checkEveryStep) {
      safety.check(upNodes());
    }
  }

  // ------------------------------------------------------------------ network

  private void send(Message message) {
    if (!cutLinks.contains(new Link(message.from(), message.to()))) {
      network.add(message);
    }
  }

  public int inFlightCount() {
    return network.size();
  }

  public List<Message> inFlight() {
    return List.copyOf(network);
  }

  /** Sees every message as it is delivered (after partitions and crashes had their say). */
  public void observeDeliveries(Consumer<Message> observer) {
    deliveryObserver = observer;
  }

  /** Delivers the in-flight message at {@code position} (any order: the network reorders). */
  public void deliver(int position) {
    Message message = network.remove(position);
    Member target = members.get(message.to());
    if (target == null
        || target.node == null
        || cutLinks.contains(new Link(message.from(), message.to()))) {
      return;
    }
    messagesDelivered++;
    deliveryObserver.accept(message);
    target.node.step(message);
    afterStep();
  }

  public void drop(int position) {
    network.remove(position);
  }

  public void duplicate(int position) {
    network.add(network.get(position));
  }

  /** Delivers everything in flight, in seeded random order, including replies it provokes. */
  public void deliverAll(int messagesMax) {
    for (int i = 0; i < messagesMax && !network.isEmpty(); i++) {
      deliver(random.nextInt(network.size()));
    }
  }

  /** Cuts both directions between {@code side} and everyone else. */
  public void partition(Collection<NodeId> side) {
    for (NodeId a : side) {
      for (NodeId b : members.keySet()) {
        if (!side.contains(b)) {
          cutLinks.add(new Link(a, b));
          cutLinks.add(new Link(b, a));
        }
      }
    }
  }

  public void isolate(NodeId id) {
    partition(List.of(id));
  }

  public void cutLink(NodeId from, NodeId to) {
    cutLinks.add(new Link(from, to));
  }

  public void heal() {
    cutLinks.clear();
  }

  public boolean isCut(NodeId from, NodeId to) {
    return cutLinks.contains(new Link(from, to));
  }

  // ------------------------------------------------------------------ rounds

  /**
   * One round of a healthy-ish run: every node ticks, then Ready batches and messages flow until
   * quiet (bounded by {@code messagesMax}).
   */
  public void round(int messagesMax) {
    tickAll();
    settle(messagesMax);
  }

  /** Processes Readies and delivers messages until nothing moves, within a bound. */
  public void settle(int messagesMax) {
    int delivered = 0;
    while (delivered < messagesMax) {
      processAll();
      if (network.isEmpty()) {
        return;
      }
      deliver(random.nextInt(network.size()));
      delivered++;
    }
  }

  /**
   * Runs rounds until {@code condition} holds. Fails after {@code roundsMax} rounds, naming the
   * condition, so a stuck cluster is a test failure rather than a hang.
   */
  public int runUntil(String what, BooleanSupplier condition, int roundsMax) {
    for (int rounds = 0; rounds < roundsMax; rounds++) {
      if (condition.getAsBoolean()) {
        return rounds;
      }
      round(10_000);
    }
    if (condition.getAsBoolean()) {
      return roundsMax;
    }
    throw new IllegalStateException(
        "cluster (seed "
            + seed
            + ") did not reach '"
            + what
            + "' within "
            + roundsMax
            + " rounds; nodes: "
            + describe());
  }

  public RaftNode awaitLeader(int roundsMax) {
    runUntil("a leader", () -> leader().isPresent(), roundsMax);
    return leader().orElseThrow();
  }

  public String describe() {
    StringBuilder out = new StringBuilder();
    for (RaftNode node : upNodes()) {
      out.append(node.status()).append(' ');
    }
    return out.toString().trim();
  }

  /** Whether an entry carrying {@code command} was committed (and applied by some node). */
  public boolean isCommitted(long index, long term) {
    return safety.committedEntry(index).map(e -> e.term() == term).orElse(false);
  }

  public static boolean isCommand(Entry entry) {
    return entry.type() == EntryType.COMMAND;
  }
}
