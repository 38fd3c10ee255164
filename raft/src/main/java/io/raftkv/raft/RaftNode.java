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
 * <p>This class owns the term, the vote, the role and their transitions. The term rules and the
 * election handlers are in {@link Elections}, the leader's side of a term is in {@link Leader}, and
 * the follower's side of replication in {@link Follower}.
 *
 * <p>Not thread-safe: one thread (an event loop, or the simulator) owns a node.
 */
public final class RaftNode {
  private final RaftConfig config;
  private final NodeId id;
  private final Rng rng;
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
  private int electionElapsedTicks;
  private int randomizedElectionTimeoutTicks;

  private Snapshot latestSnapshot;
  private Snapshot snapshotToInstall;
  private long appliedIndex;
  private HardState lastHardState;
  private Ready outstandingReady;

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
    this.rng = rng;
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
    this.elections = new Elections(this, config, raftLog, tracker, outbox, coreLog);
    this.follower = new Follower(this, raftLog, outbox, coreLog);
    this.forwardedReads = new ForwardedReads(id, config, reads, outbox, rng.fork());
    this.currentTerm = durable.hardState().currentTerm();
    this.votedFor = durable.hardState().votedFor();
    this.appliedIndex = snapshotIndex;
    this.lastHardState = durable.hardState();
    Invariants.check(
        raftLog.lastTerm() <= currentTerm,
        "%s: last log term %d above term %d",
        id,
        raftLog.lastTerm(),
        currentTerm);
    resetElectionTimer();
    info(
        "started as follower lastIndex=%d commit=%d voters=%s",
        raftLog.lastIndex(), raftLog.commitIndex(), tracker.configuration().voters());
  }

  // ---------------------------------------------------------------- inputs

  /** One unit of logical time. Drives elections, heartbeats, check-quorum and transfer aborts. */
  public void tick() {
    ticks++;
    electionElapsedTicks++;
    if (role == Role.LEADER) {
      tickLeader();
      return;
    }
    forwardedReads.expire(ticks);
    if (electionElapsedTicks >= randomizedElectionTimeoutTicks) {
      electionElapsedTicks = 0;
      campaign(VoteKind.VOTE);
    }
  }

  private void tickLeader() {
    leading.tickTransfer();
    if (electionElapsedTicks >= config.electionTimeoutTicks()) {
      electionElapsedTicks = 0;
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
    if (role == Role.LEADER || (config.leaseReads() && inLease())) {
      return false;
    }
    campaign(VoteKind.VOTE);
    return true;
  }

  /** Handles a message from a peer. Messages for another node or from a stranger are dropped. */
  public void step(Message message) {
    if (!message.to().equals(id) || !tracker.configuration().contains(message.from())) {
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
      case AppendReply m -> {
        if (leading != null) {
          leading.handleAppendReply(m);
        }
      }
      case Heartbeat m -> follower.handleHeartbeat(m);
      case HeartbeatReply m -> {
        if (leading != null) {
          leading.handleHeartbeatReply(m);
        }
      }
      case InstallSnapshot m -> follower.handleInstallSnapshot(m);
      case SnapshotReply m -> {
        if (leading != null) {
          leading.handleSnapshotReply(m);
        }
      }
      case TimeoutNow m -> handleTimeoutNow(m);
      case ReadIndexRequest m -> {
        if (leading != null) {
          leading.handleReadIndexRequest(m);
        } else {
          outbox.send(ReadIndexReply.refused(currentTerm, id, m.from(), m.requestId()));
        }
      }
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
    if (index > appliedIndex) {
      throw new IllegalArgumentException(
          "cannot compact through " + index + ": only applied through " + appliedIndex);
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
    if (outstandingReady != null) {
      return false;
    }
    return !outbox.isEmpty()
        || raftLog.hasUnpersisted()
        || snapshotToInstall != null
        || !hardState().equals(lastHardState)
        || raftLog.hasCommittedToHandOut()
        || reads.hasOutput()
        || (role == Role.LEADER && reads.needsRound());
  }

  /** Hands out the work accumulated since the last call; see {@link Ready} for the contract. */
  public Ready ready() {
    Invariants.check(outstandingReady == null, "%s: ready() again before advance()", id);
    if (role == Role.LEADER && reads.needsRound()) {
      // Every read that arrived since the last Ready shares this one heartbeat round.
      leading.broadcastHeartbeat();
    }
    HardState hardState = hardState();
    Optional<HardState> changed =
        hardState.equals(lastHardState) ? Optional.empty() : Optional.of(hardState);
    lastHardState = hardState;
    Ready ready =
        new Ready(
            outbox.takeSendNow(),
            Optional.ofNullable(snapshotToInstall),
            raftLog.takeUnpersisted(),
            changed,
            outbox.takeSendAfterPersist(),
            raftLog.takeCommitted(
                config.readyCommittedEntriesMax(),
                hasBug(CoreBug.APPLY_BEFORE_COMMIT) ? raftLog.lastIndex() : raftLog.commitIndex()),
            reads.takeReady(),
            reads.takeAborted());
    snapshotToInstall = null;
    outstandingReady = ready;
    return ready;
  }

  /** The caller did everything {@code ready} asked. */
  public void advance(Ready ready) {
    Invariants.check(
        ready == outstandingReady, "%s: advance() with a Ready not handed out last", id);
    outstandingReady = null;
    List<Entry> persisted = ready.entriesToPersist();
    if (!persisted.isEmpty()) {
      raftLog.markPersisted(persisted.get(persisted.size() - 1).index());
    }
    ready.snapshotToInstall().ifPresent(s -> appliedIndex = Math.max(appliedIndex, s.index()));
    List<Entry> committed = ready.committed();
    if (!committed.isEmpty()) {
      appliedIndex = Math.max(appliedIndex, committed.get(committed.size() - 1).index());
    }
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
    return appliedIndex;
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
        appliedIndex,
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

  // ---------------------------------------------------------------- terms and roles

  /**
   * Thesis §9.6: a pre-vote is granted only by a node that has not heard from a leader for an
   * election timeout, whether or not check-quorum is on; otherwise a node that cannot reach the
   * leader but can reach us could depose a healthy leader.
   */
  boolean heardFromLeaderRecently() {
    return !leader.isNone() && electionElapsedTicks < config.electionTimeoutTicks();
  }

  /**
   * Whether we heard from a leader within the minimum election timeout. Where leases are in use (a
   * cluster-wide setting), a node that has just started counts as having heard from one: its memory
   * of the leader is gone, and a leader's lease may still rely on it.
   */
  boolean inLease() {
    boolean bootGuard = config.leaseReads() && ticks < config.electionTimeoutTicks();
    return config.checkQuorum()
        && electionElapsedTicks < config.electionTimeoutTicks()
        && (!leader.isNone() || bootGuard);
  }

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
    resetElectionTimer();
    if (previous != Role.FOLLOWER || previousTerm != currentTerm) {
      info("became follower (was %s in term %d) leader=%s", previous, previousTerm, newLeader);
    }
  }

  /** Starts the campaign {@code kind} asks for: a transfer skips the pre-vote (thesis §3.10). */
  private void campaign(VoteKind kind) {
    if (!tracker.configuration().contains(id)) {
      return;
    }
    if (config.preVote() && kind != VoteKind.TRANSFER) {
      becomePreCandidate();
    } else {
      becomeCandidate(kind);
    }
  }

  /** Thesis §9.6: poll with the next term, changing nothing, so a lost node cannot disrupt. */
  private void becomePreCandidate() {
    role = Role.PRE_CANDIDATE;
    leader = NodeId.NONE;
    forwardedReads.abortAll();
    tracker.resetVotes();
    resetElectionTimer();
    info("became pre-candidate");
    elections.recordVote(id, VoteKind.PRE_VOTE, true);
    if (role != Role.PRE_CANDIDATE) {
      return;
    }
    elections.requestVotes(currentTerm + 1, VoteKind.PRE_VOTE);
  }

  /** §5.2: increment the term, vote for ourselves, ask everyone else. */
  void becomeCandidate(VoteKind kind) {
    Invariants.check(kind != VoteKind.PRE_VOTE, "%s: a pre-vote is no candidacy", id);
    currentTerm++;
    votedFor = id;
    role = Role.CANDIDATE;
    leader = NodeId.NONE;
    forwardedReads.abortAll();
    tracker.resetVotes();
    reads.abortAll();
    resetElectionTimer();
    info("became candidate%s", kind == VoteKind.TRANSFER ? " (leadership transfer)" : "");
    elections.recordVote(id, kind, true);
    if (role != Role.CANDIDATE) {
      return;
    }
    elections.requestVotes(currentTerm, kind);
  }

  void becomeLeader() {
    role = Role.LEADER;
    leader = id;
    tracker.resetVotes();
    electionElapsedTicks = 0;
    leading = new Leader(this, config, raftLog, tracker, outbox, reads, coreLog);
    info("became leader lastIndex=%d", raftLog.lastIndex());
    // §5.4.2 / thesis §6.4: a no-op of the new term lets earlier-term entries commit, and
    // lets reads know the commit index is current.
    raftLog.append(Entry.noop(currentTerm, raftLog.lastIndex() + 1));
    leading.broadcastAppend();
  }

  private void resetElectionTimer() {
    electionElapsedTicks = 0;
    randomizedElectionTimeoutTicks =
        config.electionTimeoutTicks() + rng.nextInt(config.electionTimeoutTicks());
  }

  /** The candidate this node voted for in its current term, or {@link NodeId#NONE}. */
  NodeId votedFor() {
    return votedFor;
  }

  /** §5.2: grants this term's one vote; granting also restarts the election timer. */
  void voteFor(NodeId candidate) {
    votedFor = candidate;
    electionElapsedTicks = 0;
  }

  /** Thesis §3.10: the transfer target skips pre-vote and campaigns at once. */
  private void handleTimeoutNow(TimeoutNow message) {
    if (role != Role.LEADER) {
      info("received TimeoutNow from %s", message.from());
      campaign(VoteKind.TRANSFER);
    }
  }

  // ---------------------------------------------------------------- follower side

  /** §5.2: a candidate that hears from this term's leader returns to follower. */
  void followLeader(NodeId from) {
    if (role != Role.FOLLOWER) {
      becomeFollower(currentTerm, from);
    }
    leader = from;
    electionElapsedTicks = 0;
  }

  /** §7: a leader's snapshot replaces our log; called by {@link Follower}. */
  void restore(Snapshot snapshot) {
    raftLog.restore(snapshot.index(), snapshot.term());
    tracker.restoreConfiguration(snapshot.configuration());
    latestSnapshot = snapshot;
    snapshotToInstall = snapshot;
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
