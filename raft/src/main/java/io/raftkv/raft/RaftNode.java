package io.raftkv.raft;

import io.raftkv.raft.Message.AppendEntries;
import io.raftkv.raft.Message.AppendReply;
import io.raftkv.raft.Message.Heartbeat;
import io.raftkv.raft.Message.HeartbeatReply;
import io.raftkv.raft.Message.InstallSnapshot;
import io.raftkv.raft.Message.ReadIndexReply;
import io.raftkv.raft.Message.ReadIndexRequest;
import io.raftkv.raft.Message.RequestVote;
import io.raftkv.raft.Message.SnapshotReply;
import io.raftkv.raft.Message.TimeoutNow;
import io.raftkv.raft.Message.VoteKind;
import io.raftkv.raft.Message.VoteReply;
import io.raftkv.raft.ProposeResult.Rejected;
import java.util.List;
import java.util.Optional;

/**
 * One Raft node as a pure state machine: no threads, clock, I/O or hidden randomness.
 *
 * <p>Inputs: {@link #tick()}, {@link #step(Message)}, {@link #propose(List)}, {@link
 * #readIndex(long)}, {@link #transferLeadership(NodeId)} and {@link #compact(long, byte[])}.
 * Output: {@link #ready()} hands out a {@link Ready} whose Javadoc says what the caller must
 * persist, send and apply, in which order; the caller then calls {@link #advance(Ready)}. Inputs
 * may arrive between {@code ready()} and {@code advance()}; a second {@code ready()} may not.
 *
 * <p>This class owns the term, the vote, the role and their transitions. The term rules, the
 * campaign and the election handlers are in {@link Elections}, the leader's side of a term is in
 * {@link Leader}, the follower's side of replication in {@link Follower}, every quorum in {@link
 * Tracker}, and the bookkeeping of handed-out Readies in {@link ReadyAssembler}. docs/raft.md walks
 * through an election across these classes.
 *
 * <p>Not thread-safe: one thread (an event loop, or the simulator) owns a node.
 */
public final class RaftNode {
  private final RaftConfig config;
  private final NodeId id;
  private final CoreLog coreLog;
  private final RaftLog raftLog;
  private final Outbox outbox = new Outbox();
  private final ReadTracker reads = new ReadTracker();
  private final ForwardedReads forwardedReads;
  private final java.util.EnumSet<CoreBug> bugs;
  private final Elections elections;
  private final Follower follower;

  /** The configuration, the followers' progress while leading, the votes while campaigning. */
  private final Tracker tracker;

  private long currentTerm;
  private NodeId votedFor;
  private Role role = Role.FOLLOWER;
  private NodeId leader = NodeId.NONE;

  /** The leader's state for the current term: non-null exactly while the role is LEADER. */
  private Leader leading;

  private long ticks;
  private final ElectionTimer electionTimer;

  private Snapshot latestSnapshot;
  private final ReadyAssembler readies;

  /**
   * Starts (or restarts) a node from what its disk holds. A brand-new node passes {@link
   * DurableState#empty()}.
   */
  public RaftNode(RaftConfig config, DurableState durable, Rng rng, CoreLog coreLog) {
    this(config, durable, rng, coreLog, java.util.Set.of());
  }

  /**
   * A node with deliberate {@code bugs}, for the simulator's proof that it catches them. Never used
   * by a server.
   */
  public RaftNode(
      RaftConfig config,
      DurableState durable,
      Rng rng,
      CoreLog coreLog,
      java.util.Set<CoreBug> bugs) {
    this.bugs = java.util.EnumSet.noneOf(CoreBug.class);
    this.bugs.addAll(bugs);
    this.config = config;
    this.id = config.id();
    this.electionTimer = new ElectionTimer(config, rng);
    this.coreLog = coreLog;
    this.latestSnapshot = durable.snapshot().orElse(null);
    long snapshotIndex = latestSnapshot == null ? 0 : latestSnapshot.index();
    long snapshotTerm = latestSnapshot == null ? 0 : latestSnapshot.term();
    this.tracker =
        new Tracker(
            id,
            latestSnapshot == null
                ? config.initialConfiguration()
                : latestSnapshot.configuration());
    this.raftLog =
        new RaftLog(
            snapshotIndex, snapshotTerm, durable.entries(), durable.hardState().commitIndex());
    this.elections = new Elections(this, config, raftLog, tracker, electionTimer, outbox, coreLog);
    this.follower = new Follower(this, raftLog, outbox, coreLog);
    this.forwardedReads = new ForwardedReads(id, config, reads, outbox, rng.fork());
    this.currentTerm = durable.hardState().currentTerm();
    this.votedFor = durable.hardState().votedFor();
    Invariants.check(
        raftLog.lastTerm() <= currentTerm,
        "%s: last log term %d above term %d",
        id,
        raftLog.lastTerm(),
        currentTerm);
    electionTimer.reset();
    this.readies =
        new ReadyAssembler(id, config, raftLog, outbox, reads, durable.hardState(), softState());
    info(
        "started as follower lastIndex=%d commit=%d voters=%s",
        raftLog.lastIndex(), raftLog.commitIndex(), tracker.voters());
  }

  // ---------------------------------------------------------------- inputs

  /** One unit of logical time. Drives elections, heartbeats, check-quorum and transfer aborts. */
  public void tick() {
    ticks++;
    electionTimer.tick();
    if (role == Role.LEADER) {
      tickLeader();
      return;
    }
    forwardedReads.expire(ticks);
    if (electionTimer.randomizedTimeoutElapsed()) {
      electionTimer.restart();
      elections.campaign(VoteKind.VOTE);
    }
  }

  private void tickLeader() {
    leading.tickTransfer();
    if (electionTimer.electionTimeoutElapsed()) {
      electionTimer.restart();
      if (config.checkQuorum() && !tracker.quorumActive()) {
        info("stepped down: no quorum heard within an election timeout (check-quorum)");
        becomeFollower(currentTerm, NodeId.NONE);
        return;
      }
      tracker.resetRecentActive();
    }
    leading.tickHeartbeat();
  }

  /**
   * Starts an election now, as if the election timeout had elapsed: for bootstrapping and tests. In
   * a lease-read cluster it is refused while this node heard from a live leader, whose lease may
   * rely on this node not voting; move leadership with {@link #transferLeadership} instead.
   *
   * @return whether an election (or pre-vote) started
   */
  public boolean campaign() {
    if (role == Role.LEADER || (config.leaseReads() && elections.inLease())) {
      return false;
    }
    elections.campaign(VoteKind.VOTE);
    return true;
  }

  /** Handles a message from a peer. Messages for another node or from a stranger are dropped. */
  public void step(Message message) {
    if (!message.to().equals(id) || !tracker.isVoter(message.from())) {
      debug(
          "dropped message for %s from %s: not ours or not a member", message.to(), message.from());
      return;
    }
    if (!elections.acceptTerm(message)) {
      return;
    }
    switch (message) {
      case RequestVote m -> elections.handleRequestVote(m);
      case VoteReply m -> elections.handleVoteReply(m);
      case AppendEntries m -> follower.handleAppendEntries(m);
      // Replies to a leader that has since stepped down are stale: dropped.
      case AppendReply m when leading != null -> leading.handleAppendReply(m);
      case HeartbeatReply m when leading != null -> leading.handleHeartbeatReply(m);
      case SnapshotReply m when leading != null -> leading.handleSnapshotReply(m);
      case AppendReply m -> {}
      case HeartbeatReply m -> {}
      case SnapshotReply m -> {}
      case Heartbeat m -> follower.handleHeartbeat(m);
      case InstallSnapshot m -> follower.handleInstallSnapshot(m);
      case TimeoutNow m -> elections.handleTimeoutNow(m);
      case ReadIndexRequest m when leading != null -> leading.handleReadIndexRequest(m);
      case ReadIndexRequest m ->
          outbox.send(ReadIndexReply.refused(currentTerm, id, m.from(), m.requestId()));
      case ReadIndexReply m -> forwardedReads.handleReply(m, leader);
    }
  }

  /**
   * Appends commands to the log if this node is leader. Nothing is appended on rejection. Commands
   * are opaque bytes; one entry each.
   */
  public ProposeResult propose(List<byte[]> commands) {
    if (commands.isEmpty()) {
      throw new IllegalArgumentException("propose needs at least one command");
    }
    if (role != Role.LEADER) {
      return new Rejected(RejectReason.NOT_LEADER, leader);
    }
    return leading.propose(commands);
  }

  public ProposeResult propose(byte[] command) {
    return propose(List.of(command));
  }

  /**
   * Asks for a linearizable read (thesis §6.4). On acceptance a later {@link Ready} lists the
   * request in {@code readsReady} with the index to wait for, or in {@code readsAborted}. A
   * follower forwards the read to its leader for the read index; with no known leader, or while
   * campaigning, the read is refused.
   */
  public Optional<Rejected> readIndex(long requestId) {
    if (role == Role.LEADER) {
      return leading.readIndex(requestId);
    }
    if (role != Role.FOLLOWER) {
      return Optional.of(new Rejected(RejectReason.NOT_LEADER, NodeId.NONE));
    }
    return forwardedReads.forward(requestId, leader, currentTerm, ticks);
  }

  /** Thesis §3.10: hands leadership to {@code target} once it has caught up. */
  public Optional<Rejected> transferLeadership(NodeId target) {
    if (role != Role.LEADER) {
      return Optional.of(new Rejected(RejectReason.NOT_LEADER, leader));
    }
    return leading.transferLeadership(target);
  }

  /**
   * The caller's state machine has applied through {@code index} and {@code image} captures it: the
   * log prefix through {@code index} is dropped and lagging followers will get the image by
   * InstallSnapshot. The caller persists the snapshot itself before calling.
   */
  public void compact(long index, byte[] image) {
    if (index > readies.appliedIndex()) {
      throw new IllegalArgumentException(
          "cannot compact through " + index + ": only applied through " + readies.appliedIndex());
    }
    if (index <= raftLog.snapshotIndex()) {
      return;
    }
    latestSnapshot = new Snapshot(index, raftLog.term(index), tracker.configuration(), image);
    raftLog.compactThrough(index);
    // Transfers under way keep sending the image they started with (Progress.snapshot):
    // restarting them on every compaction could starve a slow follower forever.
    info("compacted log through %d", index);
  }

  // ---------------------------------------------------------------- outputs

  /** Whether {@link #ready()} would hand out any work. */
  public boolean hasReady() {
    return !readies.handedOut()
        && (readies.hasWork(hardState(), softState())
            || (role == Role.LEADER && reads.needsRound()));
  }

  /** Hands out the work accumulated since the last call; see {@link Ready} for the contract. */
  public Ready ready() {
    Invariants.check(!readies.handedOut(), "%s: ready() again before advance()", id);
    if (role == Role.LEADER && reads.needsRound()) {
      // Every read that arrived since the last Ready shares this one heartbeat round.
      leading.broadcastHeartbeat();
    }
    long applyThrough =
        hasBug(CoreBug.APPLY_BEFORE_COMMIT) ? raftLog.lastIndex() : raftLog.commitIndex();
    return readies.take(hardState(), softState(), applyThrough);
  }

  /** The caller did everything {@code ready} asked. */
  public void advance(Ready ready) {
    readies.advance(ready);
    if (role == Role.LEADER) {
      // The leader counts itself towards a majority only once its own copy is durable.
      leading.maybeCommit();
    }
  }

  // ---------------------------------------------------------------- status

  boolean hasBug(CoreBug bug) {
    return bugs.contains(bug);
  }

  public NodeId id() {
    return id;
  }

  public Role role() {
    return role;
  }

  /**
   * Whether this node leads and would serve a read from its lease right now, for checkers: no other
   * node may lead a later term meanwhile (thesis §6.4.1), which is what the lease's drift margin
   * buys.
   */
  public boolean holdsLease() {
    return role == Role.LEADER && leading.leaseValid();
  }

  public long currentTerm() {
    return currentTerm;
  }

  /** The leader this node believes in for its current term, or {@link NodeId#NONE}. */
  public NodeId leader() {
    return leader;
  }

  public long commitIndex() {
    return raftLog.commitIndex();
  }

  public long appliedIndex() {
    return readies.appliedIndex();
  }

  public long firstIndex() {
    return raftLog.firstIndex();
  }

  public long lastIndex() {
    return raftLog.lastIndex();
  }

  public Configuration configuration() {
    return tracker.configuration();
  }

  public Optional<Snapshot> snapshot() {
    return Optional.ofNullable(latestSnapshot);
  }

  /** The entry at {@code index}, if it is in the log (not compacted, not beyond the end). */
  public Optional<Entry> entry(long index) {
    return index >= raftLog.firstIndex() && index <= raftLog.lastIndex()
        ? Optional.of(raftLog.entry(index))
        : Optional.empty();
  }

  /** The target of the leadership transfer under way, or {@link NodeId#NONE}. */
  public NodeId leadTransferee() {
    return leading == null ? NodeId.NONE : leading.leadTransferee();
  }

  public RaftStatus status() {
    return new RaftStatus(
        id,
        role,
        currentTerm,
        leader,
        raftLog.commitIndex(),
        readies.appliedIndex(),
        raftLog.snapshotIndex(),
        raftLog.lastIndex(),
        raftLog.lastTerm());
  }

  /** Logical time: the number of ticks since this node started. */
  long ticks() {
    return ticks;
  }

  private HardState hardState() {
    return new HardState(currentTerm, votedFor, raftLog.commitIndex());
  }

  private SoftState softState() {
    return new SoftState(role, leader);
  }

  // ---------------------------------------------------------------- terms and roles

  void becomeFollower(long term, NodeId newLeader) {
    Role previous = role;
    long previousTerm = currentTerm;
    if (term > currentTerm) {
      currentTerm = term;
      votedFor = NodeId.NONE;
    }
    if (!newLeader.equals(leader) || term != previousTerm) {
      forwardedReads.abortAll();
    }
    role = Role.FOLLOWER;
    leader = newLeader;
    leading = null;
    tracker.clearProgress();
    tracker.resetVotes();
    reads.abortAll();
    electionTimer.reset();
    if (previous != Role.FOLLOWER || previousTerm != currentTerm) {
      info("became follower (was %s in term %d) leader=%s", previous, previousTerm, newLeader);
    }
  }

  /** Thesis §9.6: poll with the next term, changing nothing, so a lost node cannot disrupt. */
  void becomePreCandidate() {
    role = Role.PRE_CANDIDATE;
    leader = NodeId.NONE;
    forwardedReads.abortAll();
    tracker.resetVotes();
    electionTimer.reset();
    info("became pre-candidate");
  }

  /** §5.2: increment the term and vote for ourselves; {@link Elections} asks everyone else. */
  void becomeCandidate(VoteKind kind) {
    Invariants.check(kind != VoteKind.PRE_VOTE, "%s: a pre-vote is no candidacy", id);
    currentTerm++;
    votedFor = id;
    role = Role.CANDIDATE;
    leader = NodeId.NONE;
    forwardedReads.abortAll();
    tracker.resetVotes();
    reads.abortAll();
    electionTimer.reset();
    info("became candidate%s", kind == VoteKind.TRANSFER ? " (leadership transfer)" : "");
  }

  void becomeLeader() {
    role = Role.LEADER;
    leader = id;
    tracker.resetVotes();
    electionTimer.restart();
    leading = new Leader(this, config, raftLog, tracker, outbox, reads, coreLog);
    info("became leader lastIndex=%d", raftLog.lastIndex());
    // §5.4.2 / thesis §6.4: a no-op of the new term lets earlier-term entries commit, and
    // lets reads know the commit index is current.
    raftLog.append(Entry.noop(currentTerm, raftLog.lastIndex() + 1));
    leading.broadcastAppend();
  }

  /** The candidate this node voted for in its current term, or {@link NodeId#NONE}. */
  NodeId votedFor() {
    return votedFor;
  }

  /** §5.2: grants this term's one vote; granting also restarts the election timer. */
  void voteFor(NodeId candidate) {
    votedFor = candidate;
    electionTimer.restart();
  }

  // ---------------------------------------------------------------- follower side

  /** §5.2: a candidate that hears from this term's leader returns to follower. */
  void followLeader(NodeId from) {
    if (role != Role.FOLLOWER) {
      becomeFollower(currentTerm, from);
    }
    leader = from;
    electionTimer.restart();
  }

  /** §7: a leader's snapshot replaces our log; called by {@link Follower}. */
  void restore(Snapshot snapshot) {
    raftLog.restore(snapshot.index(), snapshot.term());
    tracker.restoreConfiguration(snapshot.configuration());
    latestSnapshot = snapshot;
    readies.installSnapshot(snapshot);
  }

  private void info(String format, Object... args) {
    coreLog.info(id + " term=" + currentTerm + " " + String.format(format, args));
  }

  private void debug(String format, Object... args) {
    if (coreLog.debugEnabled()) {
      coreLog.debug(id + " term=" + currentTerm + " " + String.format(format, args));
    }
  }
}
