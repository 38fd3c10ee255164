package io.raftkv.raft;

import io.raftkv.raft.Message.AppendEntries;
import io.raftkv.raft.Message.AppendReply;
import io.raftkv.raft.Message.Heartbeat;
import io.raftkv.raft.Message.HeartbeatReply;
import io.raftkv.raft.Message.InstallSnapshot;
import io.raftkv.raft.Message.RequestVote;
import io.raftkv.raft.Message.SnapshotReply;
import io.raftkv.raft.Message.TimeoutNow;
import io.raftkv.raft.Message.VoteReply;
import io.raftkv.raft.ProposeResult.Rejected;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One Raft node as a pure state machine: no threads, clock, I/O or hidden randomness.
 *
 * <p>Inputs: {@link #tick()}, {@link #step(Message)}, {@link #propose(List)},
 * {@link #readIndex(long)}, {@link #transferLeadership(NodeId)} and {@link #compact(long, byte[])}.
 * Output: {@link #ready()} hands out a {@link Ready} whose Javadoc says what the caller must
 * persist, send and apply, in which order; the caller then calls {@link #advance(Ready)}. Inputs
 * may arrive between {@code ready()} and {@code advance()}; a second {@code ready()} may not.
 *
 * <p>Not thread-safe: one thread (an event loop, or the simulator) owns a node.
 */
public final class RaftNode {
  private final RaftConfig config;
  private final NodeId id;
  private final Rng rng;
  private final CoreLog log;
  private final RaftLog raftLog;
  private final Outbox outbox = new Outbox();
  private final ReadTracker reads = new ReadTracker();
  private final SnapshotAssembler snapshotAssembler = new SnapshotAssembler();

  private Configuration configuration;
  private long currentTerm;
  private NodeId votedFor;
  private Role role = Role.FOLLOWER;
  private NodeId leader = NodeId.NONE;
  private final Map<NodeId, Boolean> votes = new HashMap<>();
  /** Leader only: one entry per other voter, in id order so message order is deterministic. */
  private final TreeMap<NodeId, Progress> progress = new TreeMap<>();

  private long ticks;
  private int electionElapsedTicks;
  private int heartbeatElapsedTicks;
  private int randomizedElectionTimeoutTicks;
  private NodeId leadTransferee = NodeId.NONE;
  private int transferElapsedTicks;
  /** TimeoutNow went out for the current transfer; one per transfer is enough. */
  private boolean timeoutNowSent;
  /**
   * Set once this leader has sent TimeoutNow in its term. The target's election bypasses the
   * followers' leases, so from then on this leader's lease proves nothing.
   */
  private boolean leaseForfeited;
  private long uncommittedBytes;

  private Snapshot latestSnapshot;
  private Snapshot snapshotToInstall;
  private long appliedIndex;
  private HardState lastHardState;
  private Ready outstandingReady;

  /**
   * Starts (or restarts) a node from what its disk holds. A brand-new node passes
   * {@link DurableState#empty()}.
   */
  public RaftNode(RaftConfig config, DurableState durable, Rng rng, CoreLog log) {
    this.config = config;
    this.id = config.id();
    this.rng = rng;
    this.log = log;
    this.latestSnapshot = durable.snapshot().orElse(null);
    long snapshotIndex = latestSnapshot == null ? 0 : latestSnapshot.index();
    long snapshotTerm = latestSnapshot == null ? 0 : latestSnapshot.term();
    this.configuration = latestSnapshot == null
        ? config.initialConfiguration() : latestSnapshot.configuration();
    this.raftLog = new RaftLog(snapshotIndex, snapshotTerm, durable.entries(),
        durable.hardState().commitIndex());
    this.currentTerm = durable.hardState().currentTerm();
    this.votedFor = durable.hardState().votedFor();
    this.appliedIndex = snapshotIndex;
    this.lastHardState = durable.hardState();
    Invariants.check(raftLog.lastTerm() <= currentTerm, "%s: last log term %d above term %d", id,
        raftLog.lastTerm(), currentTerm);
    resetElectionTimer();
    log.info(id + " term=" + currentTerm + " started as follower lastIndex="
        + raftLog.lastIndex() + " commit=" + raftLog.commitIndex() + " voters="
        + configuration.voters());
  }

  // ---------------------------------------------------------------- inputs

  /** One unit of logical time. Drives elections, heartbeats, check-quorum and transfer aborts. */
  public void tick() {
    ticks++;
    electionElapsedTicks++;
    if (role == Role.LEADER) {
      tickLeader();
    } else if (electionElapsedTicks >= randomizedElectionTimeoutTicks) {
      electionElapsedTicks = 0;
      campaign(false);
    }
  }

  private void tickLeader() {
    heartbeatElapsedTicks++;
    if (!leadTransferee.isNone() && ++transferElapsedTicks >= config.electionTimeoutTicks()) {
      // Thesis §3.10: a transfer that has not finished within an election timeout is abandoned.
      log.info(id + " term=" + currentTerm + " aborted leadership transfer to " + leadTransferee);
      leadTransferee = NodeId.NONE;
    }
    if (electionElapsedTicks >= config.electionTimeoutTicks()) {
      electionElapsedTicks = 0;
      if (config.checkQuorum() && !quorumRecentlyActive()) {
        log.info(id + " term=" + currentTerm + " stepped down: no quorum heard within an "
            + "election timeout (check-quorum)");
        becomeFollower(currentTerm, NodeId.NONE);
        return;
      }
      progress.values().forEach(pr -> pr.recentActive = false);
    }
    if (heartbeatElapsedTicks >= config.heartbeatTicks()) {
      heartbeatElapsedTicks = 0;
      broadcastHeartbeat();
    }
  }

  private boolean quorumRecentlyActive() {
    int active = configuration.contains(id) ? 1 : 0;
    for (Map.Entry<NodeId, Progress> entry : progress.entrySet()) {
      if (entry.getValue().recentActive) {
        active++;
      }
    }
    return active >= configuration.quorum();
  }

  /**
   * Starts an election now, as if the election timeout had elapsed: for bootstrapping and tests.
   * In a lease-read cluster it is refused while this node heard from a live leader, whose lease
   * may rely on this node not voting; move leadership with {@link #transferLeadership} instead.
   *
   * @return whether an election (or pre-vote) started
   */
  public boolean campaign() {
    if (role == Role.LEADER || (config.leaseReads() && inLease())) {
      return false;
    }
    campaign(false);
    return true;
  }

  /** Handles a message from a peer. Messages for another node or from a stranger are dropped. */
  public void step(Message message) {
    if (!message.to().equals(id) || !configuration.contains(message.from())) {
      debug("dropped message for %s from %s: not ours or not a member", message.to(),
          message.from());
      return;
    }
    if (!acceptTerm(message)) {
      return;
    }
    switch (message) {
      case RequestVote m -> handleRequestVote(m);
      case VoteReply m -> handleVoteReply(m);
      case AppendEntries m -> handleAppendEntries(m);
      case AppendReply m -> handleAppendReply(m);
      case Heartbeat m -> handleHeartbeat(m);
      case HeartbeatReply m -> handleHeartbeatReply(m);
      case InstallSnapshot m -> handleInstallSnapshot(m);
      case SnapshotReply m -> handleSnapshotReply(m);
      case TimeoutNow m -> handleTimeoutNow(m);
    }
  }

  /**
   * Appends commands to the log if this node is leader. Nothing is appended on rejection.
   * Commands are opaque bytes; one entry each.
   */
  public ProposeResult propose(List<byte[]> commands) {
    if (commands.isEmpty()) {
      throw new IllegalArgumentException("propose needs at least one command");
    }
    if (role != Role.LEADER) {
      return new Rejected(RejectReason.NOT_LEADER, leader);
    }
    if (!leadTransferee.isNone()) {
      return new Rejected(RejectReason.TRANSFERRING_LEADERSHIP, leader);
    }
    long bytes = 0;
    for (byte[] command : commands) {
      if (command.length > config.entryBytesMax()) {
        return new Rejected(RejectReason.TOO_LARGE, leader);
      }
      bytes += command.length;
    }
    if (uncommittedBytes > 0 && uncommittedBytes + bytes > config.uncommittedBytesMax()) {
      return new Rejected(RejectReason.OVERLOADED, leader);
    }
    long first = raftLog.lastIndex() + 1;
    for (byte[] command : commands) {
      raftLog.append(Entry.command(currentTerm, raftLog.lastIndex() + 1, command));
    }
    uncommittedBytes += bytes;
    broadcastAppend();
    return new ProposeResult.Accepted(first, raftLog.lastIndex(), currentTerm);
  }

  public ProposeResult propose(byte[] command) {
    return propose(List.of(command));
  }

  /**
   * Asks for a linearizable read (thesis §6.4). On acceptance a later {@link Ready} lists the
   * request in {@code readsReady} with the index to wait for, or in {@code readsAborted}.
   */
  public Optional<Rejected> readIndex(long requestId) {
    if (role != Role.LEADER) {
      return Optional.of(new Rejected(RejectReason.NOT_LEADER, leader));
    }
    if (reads.pendingCount() >= config.readsPendingMax()) {
      return Optional.of(new Rejected(RejectReason.OVERLOADED, leader));
    }
    if (!committedInCurrentTerm()) {
      // Thesis §6.4 step 1: until an entry of its term commits, the leader's commit index may
      // lag what earlier leaders committed.
      reads.awaitTermCommit(requestId);
    } else if (leaseValid()) {
      reads.readyNow(requestId, raftLog.commitIndex());
    } else {
      reads.awaitRound(requestId, raftLog.commitIndex());
    }
    return Optional.empty();
  }

  /** Thesis §3.10: hands leadership to {@code target} once it has caught up. */
  public Optional<Rejected> transferLeadership(NodeId target) {
    if (role != Role.LEADER) {
      return Optional.of(new Rejected(RejectReason.NOT_LEADER, leader));
    }
    if (!configuration.contains(target)) {
      return Optional.of(new Rejected(RejectReason.UNKNOWN_NODE, leader));
    }
    if (target.equals(id)) {
      return Optional.empty();
    }
    log.info(id + " term=" + currentTerm + " transferring leadership to " + target);
    leadTransferee = target;
    transferElapsedTicks = 0;
    timeoutNowSent = false;
    Progress pr = progress.get(target);
    if (pr.matchIndex == raftLog.lastIndex()) {
      sendTimeoutNow(target);
    } else {
      replicateTo(target, pr);
    }
    return Optional.empty();
  }

  private void sendTimeoutNow(NodeId target) {
    timeoutNowSent = true;
    leaseForfeited = true;
    outbox.send(new TimeoutNow(currentTerm, id, target));
  }

  /**
   * The caller's state machine has applied through {@code index} and {@code image} captures it:
   * the log prefix through {@code index} is dropped and lagging followers will get the image by
   * InstallSnapshot. The caller persists the snapshot itself before calling.
   */
  public void compact(long index, byte[] image) {
    if (index > appliedIndex) {
      throw new IllegalArgumentException("cannot compact through " + index
          + ": only applied through " + appliedIndex);
    }
    if (index <= raftLog.snapshotIndex()) {
      return;
    }
    latestSnapshot = new Snapshot(index, raftLog.term(index), configuration, image);
    raftLog.compactThrough(index);
    // Transfers under way keep sending the image they started with (Progress.snapshot):
    // restarting them on every compaction could starve a slow follower forever.
    log.info(id + " term=" + currentTerm + " compacted log through " + index);
  }

  // ---------------------------------------------------------------- outputs

  /** Whether {@link #ready()} would hand out any work. */
  public boolean hasReady() {
    if (outstandingReady != null) {
      return false;
    }
    return !outbox.isEmpty() || raftLog.hasUnpersisted() || snapshotToInstall != null
        || !hardState().equals(lastHardState) || raftLog.hasCommittedToHandOut()
        || reads.hasOutput() || (role == Role.LEADER && reads.needsRound());
  }

  /** Hands out the work accumulated since the last call; see {@link Ready} for the contract. */
  public Ready ready() {
    Invariants.check(outstandingReady == null, "%s: ready() again before advance()", id);
    if (role == Role.LEADER && reads.needsRound()) {
      // Every read that arrived since the last Ready shares this one heartbeat round.
      broadcastHeartbeat();
    }
    HardState hardState = hardState();
    Optional<HardState> changed = hardState.equals(lastHardState)
        ? Optional.empty() : Optional.of(hardState);
    lastHardState = hardState;
    Ready ready = new Ready(outbox.takeSendNow(), Optional.ofNullable(snapshotToInstall),
        raftLog.takeUnpersisted(), changed, outbox.takeSendAfterPersist(),
        raftLog.takeCommitted(config.readyCommittedEntriesMax()), reads.takeReady(),
        reads.takeAborted());
    snapshotToInstall = null;
    outstandingReady = ready;
    return ready;
  }

  /** The caller did everything {@code ready} asked. */
  public void advance(Ready ready) {
    Invariants.check(ready == outstandingReady, "%s: advance() with a Ready not handed out last",
        id);
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
      maybeCommit();
    }
  }

  // ---------------------------------------------------------------- status

  public NodeId id() {
    return id;
  }

  public Role role() {
    return role;
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
    return configuration;
  }

  public Optional<Snapshot> snapshot() {
    return Optional.ofNullable(latestSnapshot);
  }

  /** The entry at {@code index}, if it is in the log (not compacted, not beyond the end). */
  public Optional<Entry> entry(long index) {
    return index >= raftLog.firstIndex() && index <= raftLog.lastIndex()
        ? Optional.of(raftLog.entry(index)) : Optional.empty();
  }

  public NodeId leadTransferee() {
    return leadTransferee;
  }

  public RaftStatus status() {
    return new RaftStatus(id, role, currentTerm, leader, raftLog.commitIndex(), appliedIndex,
        raftLog.snapshotIndex(), raftLog.lastIndex(), raftLog.lastTerm());
  }

  private HardState hardState() {
    return new HardState(currentTerm, votedFor, raftLog.commitIndex());
  }

  // ---------------------------------------------------------------- terms and roles

  /**
   * §5.1 and Figure 2 "Rules for Servers": a higher term makes us a follower, a lower one marks
   * a stale message. Returns whether the message is still to be handled.
   */
  private boolean acceptTerm(Message message) {
    if (message.term() > currentTerm) {
      if (message instanceof RequestVote request) {
        if (inLease() && !request.leadershipTransfer()) {
          // Thesis §4.2.3 / §6.2: we heard from a live leader within the minimum election
          // timeout, so a vote request is disruption, not a dead leader; ignore it entirely.
          debug("ignored %s vote request from %s term=%d: leader %s is live",
              request.preVote() ? "pre" : "", request.from(), request.term(), leader);
          return false;
        }
        if (request.preVote()) {
          return true;
        }
        becomeFollower(message.term(), NodeId.NONE);
        return true;
      }
      if (message instanceof VoteReply reply && reply.preVote() && reply.granted()) {
        // A granted poll carries the term we would campaign in; it is not news of a higher term.
        return true;
      }
      boolean fromLeader = message instanceof AppendEntries || message instanceof Heartbeat
          || message instanceof InstallSnapshot;
      becomeFollower(message.term(), fromLeader ? message.from() : NodeId.NONE);
      return true;
    }
    if (message.term() < currentTerm) {
      if ((config.checkQuorum() || config.preVote())
          && (message instanceof AppendEntries || message instanceof Heartbeat)) {
        // A deposed leader whose higher-term peers never campaign against it (pre-vote and
        // check-quorum suppress that) would otherwise never learn it was deposed.
        outbox.send(new AppendReply(currentTerm, id, message.from(), false, 0, -1, 0, 0));
      } else if (message instanceof RequestVote request && request.preVote()) {
        outbox.send(new VoteReply(currentTerm, id, message.from(), true, false));
      } else {
        debug("dropped stale message from %s term=%d", message.from(), message.term());
      }
      return false;
    }
    return true;
  }

  /**
   * Thesis §9.6: a pre-vote is granted only by a node that has not heard from a leader for an
   * election timeout, whether or not check-quorum is on; otherwise a node that cannot reach the
   * leader but can reach us could depose a healthy leader.
   */
  private boolean heardFromLeaderRecently() {
    return !leader.isNone() && electionElapsedTicks < config.electionTimeoutTicks();
  }

  /**
   * Whether we heard from a leader within the minimum election timeout. Where leases are in use
   * (a cluster-wide setting), a node that has just started counts as having heard from one: its
   * memory of the leader is gone, and a leader's lease may still rely on it.
   */
  private boolean inLease() {
    boolean bootGuard = config.leaseReads() && ticks < config.electionTimeoutTicks();
    return config.checkQuorum() && electionElapsedTicks < config.electionTimeoutTicks()
        && (!leader.isNone() || bootGuard);
  }

  private void becomeFollower(long term, NodeId newLeader) {
    Role previous = role;
    long previousTerm = currentTerm;
    if (term > currentTerm) {
      currentTerm = term;
      votedFor = NodeId.NONE;
    }
    role = Role.FOLLOWER;
    leader = newLeader;
    leadTransferee = NodeId.NONE;
    progress.clear();
    votes.clear();
    reads.abortAll();
    resetElectionTimer();
    if (previous != Role.FOLLOWER || previousTerm != currentTerm) {
      log.info(id + " term=" + currentTerm + " became follower (was " + previous + " in term "
          + previousTerm + ") leader=" + newLeader);
    }
  }

  private void campaign(boolean leadershipTransfer) {
    if (!configuration.contains(id)) {
      return;
    }
    if (config.preVote() && !leadershipTransfer) {
      becomePreCandidate();
    } else {
      becomeCandidate(leadershipTransfer);
    }
  }

  /** Thesis §9.6: poll with the next term, changing nothing, so a lost node cannot disrupt. */
  private void becomePreCandidate() {
    role = Role.PRE_CANDIDATE;
    leader = NodeId.NONE;
    votes.clear();
    resetElectionTimer();
    log.info(id + " term=" + currentTerm + " became pre-candidate");
    recordVote(id, true, true);
    if (role != Role.PRE_CANDIDATE) {
      return;
    }
    for (NodeId peer : configuration.voters()) {
      if (!peer.equals(id)) {
        outbox.send(new RequestVote(currentTerm + 1, id, peer, raftLog.lastIndex(),
            raftLog.lastTerm(), true, false));
      }
    }
  }

  /** §5.2: increment the term, vote for ourselves, ask everyone else. */
  private void becomeCandidate(boolean leadershipTransfer) {
    currentTerm++;
    votedFor = id;
    role = Role.CANDIDATE;
    leader = NodeId.NONE;
    votes.clear();
    reads.abortAll();
    resetElectionTimer();
    log.info(id + " term=" + currentTerm + " became candidate"
        + (leadershipTransfer ? " (leadership transfer)" : ""));
    recordVote(id, false, true);
    if (role != Role.CANDIDATE) {
      return;
    }
    for (NodeId peer : configuration.voters()) {
      if (!peer.equals(id)) {
        outbox.send(new RequestVote(currentTerm, id, peer, raftLog.lastIndex(),
            raftLog.lastTerm(), false, leadershipTransfer));
      }
    }
  }

  private void becomeLeader() {
    role = Role.LEADER;
    leader = id;
    leadTransferee = NodeId.NONE;
    votes.clear();
    heartbeatElapsedTicks = 0;
    electionElapsedTicks = 0;
    uncommittedBytes = 0;
    leaseForfeited = false;
    progress.clear();
    for (NodeId peer : configuration.voters()) {
      if (!peer.equals(id)) {
        progress.put(peer, new Progress(raftLog.lastIndex() + 1, config.inflightAppendsMax()));
      }
    }
    log.info(id + " term=" + currentTerm + " became leader lastIndex=" + raftLog.lastIndex());
    // §5.4.2 / thesis §6.4: a no-op of the new term lets earlier-term entries commit, and
    // lets reads know the commit index is current.
    raftLog.append(Entry.noop(currentTerm, raftLog.lastIndex() + 1));
    broadcastAppend();
  }

  private void resetElectionTimer() {
    electionElapsedTicks = 0;
    randomizedElectionTimeoutTicks = config.electionTimeoutTicks()
        + rng.nextInt(config.electionTimeoutTicks());
  }

  // ---------------------------------------------------------------- elections

  /** §5.2, §5.4.1 and thesis §9.6. */
  private void handleRequestVote(RequestVote request) {
    boolean canVote = votedFor.equals(request.from())
        || (votedFor.isNone() && leader.isNone())
        || (request.preVote() && request.term() > currentTerm && !heardFromLeaderRecently());
    boolean granted = canVote && raftLog.isUpToDate(request.lastLogIndex(), request.lastLogTerm());
    if (granted && !request.preVote()) {
      votedFor = request.from();
      electionElapsedTicks = 0;
    }
    debug("%s %s vote to %s term=%d", granted ? "granted" : "refused",
        request.preVote() ? "pre" : "", request.from(), request.term());
    long replyTerm = granted && request.preVote() ? request.term() : currentTerm;
    outbox.send(new VoteReply(replyTerm, id, request.from(), request.preVote(), granted));
  }

  private void handleVoteReply(VoteReply reply) {
    Role expected = reply.preVote() ? Role.PRE_CANDIDATE : Role.CANDIDATE;
    long expectedTerm = reply.preVote() ? currentTerm + 1 : currentTerm;
    if (role != expected || (reply.granted() && reply.term() != expectedTerm)) {
      return;
    }
    recordVote(reply.from(), reply.preVote(), reply.granted());
  }

  private void recordVote(NodeId voter, boolean preVote, boolean granted) {
    votes.putIfAbsent(voter, granted);
    int grantedCount = 0;
    for (boolean vote : votes.values()) {
      if (vote) {
        grantedCount++;
      }
    }
    int refusedCount = votes.size() - grantedCount;
    if (grantedCount >= configuration.quorum()) {
      if (preVote) {
        becomeCandidate(false);
      } else {
        becomeLeader();
      }
    } else if (refusedCount >= configuration.quorum()) {
      becomeFollower(currentTerm, NodeId.NONE);
    }
  }

  private void handleTimeoutNow(TimeoutNow message) {
    if (role != Role.LEADER) {
      log.info(id + " term=" + currentTerm + " received TimeoutNow from " + message.from());
      campaign(true);
    }
  }

  // ---------------------------------------------------------------- follower side

  /** §5.2: a candidate that hears from this term's leader returns to follower. */
  private void followLeader(NodeId from) {
    if (role != Role.FOLLOWER) {
      becomeFollower(currentTerm, from);
    }
    leader = from;
    electionElapsedTicks = 0;
  }

  /** §5.3 receiver rules, with conflict hints for fast backtracking. */
  private void handleAppendEntries(AppendEntries append) {
    followLeader(append.from());
    long prevIndex = append.prevLogIndex();
    long prevTerm = append.prevLogTerm();
    List<Entry> entries = append.entries();
    long commitIndex = raftLog.commitIndex();
    if (prevIndex < commitIndex) {
      // Our log through the commit index equals the leader's (§5.4 leader completeness), so
      // the part of the message up to it is already here.
      int alreadyCommitted = (int) Math.min(entries.size(), commitIndex - prevIndex);
      if (alreadyCommitted == entries.size()) {
        outbox.send(new AppendReply(currentTerm, id, append.from(), true, commitIndex, 0, 0, 0));
        return;
      }
      entries = entries.subList(alreadyCommitted, entries.size());
      prevIndex = commitIndex;
      prevTerm = raftLog.term(commitIndex);
    }
    if (!raftLog.matches(prevIndex, prevTerm)) {
      rejectAppend(append);
      return;
    }
    long lastNewIndex = raftLog.appendFromLeader(prevIndex, entries);
    raftLog.commitTo(Math.min(append.leaderCommit(), lastNewIndex));
    outbox.send(new AppendReply(currentTerm, id, append.from(), true, lastNewIndex, 0, 0, 0));
  }

  private void rejectAppend(AppendEntries append) {
    long prevIndex = append.prevLogIndex();
    long conflictTerm;
    long conflictIndex;
    if (prevIndex > raftLog.lastIndex()) {
      conflictTerm = 0;
      conflictIndex = raftLog.lastIndex() + 1;
    } else {
      conflictTerm = raftLog.term(prevIndex);
      conflictIndex = raftLog.firstIndexOfTermAt(prevIndex);
    }
    debug("rejected append from=%s prevIndex=%d prevTerm=%d conflictTerm=%d conflictIndex=%d",
        append.from(), prevIndex, append.prevLogTerm(), conflictTerm, conflictIndex);
    outbox.send(new AppendReply(currentTerm, id, append.from(), false, 0, prevIndex,
        conflictTerm, conflictIndex));
  }

  private void handleHeartbeat(Heartbeat heartbeat) {
    followLeader(heartbeat.from());
    // The leader caps the commit index at what we are known to hold, so it is safe to take.
    raftLog.commitTo(Math.min(heartbeat.commitIndex(), raftLog.lastIndex()));
    outbox.send(new HeartbeatReply(currentTerm, id, heartbeat.from(), heartbeat.sequence()));
  }

  private void handleInstallSnapshot(InstallSnapshot chunk) {
    followLeader(chunk.from());
    if (chunk.snapshotIndex() <= raftLog.commitIndex()) {
      outbox.send(new SnapshotReply(currentTerm, id, chunk.from(), chunk.snapshotIndex(), 0,
          true, raftLog.commitIndex()));
      return;
    }
    Optional<Snapshot> complete = snapshotAssembler.accept(chunk);
    if (complete.isEmpty()) {
      outbox.send(new SnapshotReply(currentTerm, id, chunk.from(), chunk.snapshotIndex(),
          snapshotAssembler.nextOffset(chunk.snapshotIndex(), chunk.snapshotTerm(), chunk.term()),
          false, 0));
      return;
    }
    Snapshot snapshot = complete.get();
    if (raftLog.matches(snapshot.index(), snapshot.term())) {
      // We hold that entry already: the log is the better copy, only the commit index is news.
      raftLog.commitTo(snapshot.index());
    } else {
      log.info(id + " term=" + currentTerm + " restoring snapshot index=" + snapshot.index()
          + " term=" + snapshot.term() + " from " + chunk.from());
      raftLog.restore(snapshot.index(), snapshot.term());
      configuration = snapshot.configuration();
      latestSnapshot = snapshot;
      snapshotToInstall = snapshot;
    }
    outbox.send(new SnapshotReply(currentTerm, id, chunk.from(), snapshot.index(), 0, true,
        snapshot.index()));
  }

  // ---------------------------------------------------------------- leader side

  private void handleAppendReply(AppendReply reply) {
    Progress pr = progress.get(reply.from());
    if (role != Role.LEADER || pr == null) {
      return;
    }
    pr.recentActive = true;
    if (!reply.success()) {
      handleAppendRejection(reply, pr);
      return;
    }
    if (reply.matchIndex() > raftLog.lastIndex()) {
      debug("dropped append reply from %s claiming match %d beyond last %d", reply.from(),
          reply.matchIndex(), raftLog.lastIndex());
      return;
    }
    boolean advanced = pr.advanceMatch(reply.matchIndex());
    switch (pr.state) {
      case PROBE -> pr.becomeReplicate();
      case REPLICATE -> pr.inflights.freeThrough(reply.matchIndex());
      case SNAPSHOT -> {
        if (pr.matchIndex >= pr.snapshotIndex) {
          pr.becomeProbe();
        }
      }
    }
    if (advanced) {
      maybeCommit();
    }
    if (reply.from().equals(leadTransferee) && pr.matchIndex == raftLog.lastIndex()
        && !timeoutNowSent) {
      sendTimeoutNow(reply.from());
    }
    replicateTo(reply.from(), pr);
  }

  /**
   * Fast backtracking: jump past the follower's whole conflicting term, or to the end of our own
   * entries of that term, so a log diverging over K terms is repaired in O(K) round trips.
   */
  private void handleAppendRejection(AppendReply reply, Progress pr) {
    if (reply.rejectedIndex() < 0) {
      return;
    }
    boolean stale = switch (pr.state) {
      case REPLICATE -> reply.rejectedIndex() <= pr.matchIndex;
      case PROBE -> reply.rejectedIndex() != pr.nextIndex - 1;
      case SNAPSHOT -> true;
    };
    if (stale) {
      return;
    }
    long next = reply.conflictIndex();
    if (reply.conflictTerm() > 0) {
      long ours = raftLog.lastIndexOfTerm(reply.conflictTerm(), reply.rejectedIndex());
      if (ours > 0) {
        next = ours + 1;
      }
    }
    pr.nextIndex = Math.max(pr.matchIndex + 1, Math.min(next, reply.rejectedIndex()));
    pr.becomeProbe();
    debug("backtracked %s to next=%d after rejection at %d", reply.from(), pr.nextIndex,
        reply.rejectedIndex());
    replicateTo(reply.from(), pr);
  }

  private void handleHeartbeatReply(HeartbeatReply reply) {
    Progress pr = progress.get(reply.from());
    if (role != Role.LEADER || pr == null) {
      return;
    }
    pr.recentActive = true;
    if (reply.sequence() > pr.heartbeatAckedSequence) {
      pr.heartbeatAckedSequence = reply.sequence();
      pr.heartbeatAckedSentTick = reads.sentTick(reply.sequence());
      confirmReads();
    }
    switch (pr.state) {
      case PROBE -> pr.probeSent = false;
      case REPLICATE -> {
        // Appends may have been lost; let one more out so the follower can say where it is.
        if (pr.inflights.isFull()) {
          pr.inflights.freeFirst();
        }
      }
      case SNAPSHOT -> {
        if (ticks - pr.snapshotChunkSentTick >= 2L * config.heartbeatTicks()) {
          sendSnapshotChunk(reply.from(), pr);
        }
        return;
      }
    }
    if (pr.matchIndex < raftLog.lastIndex()) {
      sendAppend(reply.from(), pr, true);
    }
  }

  private void handleSnapshotReply(SnapshotReply reply) {
    Progress pr = progress.get(reply.from());
    if (role != Role.LEADER || pr == null) {
      return;
    }
    pr.recentActive = true;
    if (reply.installed()) {
      pr.advanceMatch(Math.min(reply.matchIndex(), raftLog.lastIndex()));
      if (pr.state == Progress.State.SNAPSHOT && pr.matchIndex >= pr.snapshotIndex) {
        pr.nextIndex = pr.matchIndex + 1;
        pr.becomeProbe();
      }
      maybeCommit();
      replicateTo(reply.from(), pr);
      return;
    }
    if (pr.state == Progress.State.SNAPSHOT && reply.snapshotIndex() == pr.snapshotIndex) {
      pr.snapshotOffsetAcked = reply.nextOffset();
      sendSnapshotChunk(reply.from(), pr);
    }
  }

  /** §5.3 and §5.4.2: commit the highest index a majority holds, if it is of this term. */
  private void maybeCommit() {
    long[] matches = new long[configuration.voters().size()];
    int i = 0;
    for (NodeId voter : configuration.voters()) {
      matches[i++] = voter.equals(id) ? raftLog.persistedIndex() : progress.get(voter).matchIndex;
    }
    long candidate = Quorum.valueReachedByQuorum(matches, configuration.quorum());
    long oldCommit = raftLog.commitIndex();
    if (candidate <= oldCommit || raftLog.term(candidate) != currentTerm) {
      return;
    }
    raftLog.commitTo(candidate);
    for (long index = oldCommit + 1; index <= candidate; index++) {
      Entry entry = raftLog.entry(index);
      if (entry.term() == currentTerm) {
        uncommittedBytes = Math.max(0, uncommittedBytes - entry.data().length);
      }
    }
    if (raftLog.term(oldCommit) != currentTerm) {
      reads.termCommitted(candidate);
    }
  }

  private boolean committedInCurrentTerm() {
    return raftLog.term(raftLog.commitIndex()) == currentTerm;
  }

  /** Sends what each follower's flow control allows. */
  private void broadcastAppend() {
    for (Map.Entry<NodeId, Progress> entry : progress.entrySet()) {
      replicateTo(entry.getKey(), entry.getValue());
    }
  }

  private void replicateTo(NodeId peer, Progress pr) {
    if (pr.state == Progress.State.PROBE) {
      sendAppend(peer, pr, true);
      return;
    }
    while (sendAppend(peer, pr, false)) {
      // Pipelining: keep appending until the inflight window is full or nothing is left.
    }
  }

  /** Sends one AppendEntries if flow control allows; starts a snapshot if entries are gone. */
  private boolean sendAppend(NodeId peer, Progress pr, boolean allowEmpty) {
    if (!pr.canSendAppend()) {
      return false;
    }
    long prevIndex = pr.nextIndex - 1;
    long prevTerm = raftLog.term(prevIndex);
    if (prevTerm == RaftLog.UNKNOWN_TERM) {
      Invariants.check(prevIndex < raftLog.snapshotIndex(), "%s: next=%d for %s beyond log %d",
          id, pr.nextIndex, peer, raftLog.lastIndex());
      startSnapshot(peer, pr);
      return false;
    }
    List<Entry> entries = pr.nextIndex <= raftLog.lastIndex()
        ? raftLog.slice(pr.nextIndex, config.appendEntriesMax(), config.appendBytesMax())
        : List.of();
    if (entries.isEmpty() && !allowEmpty) {
      return false;
    }
    outbox.send(new AppendEntries(currentTerm, id, peer, prevIndex, prevTerm, entries,
        raftLog.commitIndex()));
    if (pr.state == Progress.State.PROBE) {
      pr.probeSent = true;
    } else if (!entries.isEmpty()) {
      long last = entries.get(entries.size() - 1).index();
      pr.nextIndex = last + 1;
      pr.inflights.add(last);
    }
    return true;
  }

  private void startSnapshot(NodeId peer, Progress pr) {
    Invariants.check(latestSnapshot != null, "%s: %s needs compacted entries but no snapshot",
        id, peer);
    log.info(id + " term=" + currentTerm + " sending snapshot index=" + latestSnapshot.index()
        + " to " + peer);
    pr.becomeSnapshot(latestSnapshot);
    sendSnapshotChunk(peer, pr);
  }

  private void sendSnapshotChunk(NodeId peer, Progress pr) {
    Snapshot snapshot = pr.snapshot;
    byte[] image = snapshot.data();
    int offset = (int) Math.min(pr.snapshotOffsetAcked, image.length);
    int length = Math.min(config.snapshotChunkBytes(), image.length - offset);
    byte[] chunk = java.util.Arrays.copyOfRange(image, offset, offset + length);
    outbox.send(new InstallSnapshot(currentTerm, id, peer, snapshot.index(), snapshot.term(),
        snapshot.configuration(), offset, chunk, offset + length == image.length));
    pr.snapshotChunkSentTick = ticks;
  }

  private void broadcastHeartbeat() {
    long sequence = reads.startRound(ticks, config.electionTimeoutTicks());
    for (Map.Entry<NodeId, Progress> entry : progress.entrySet()) {
      Progress pr = entry.getValue();
      outbox.send(new Heartbeat(currentTerm, id, entry.getKey(),
          Math.min(pr.matchIndex, raftLog.commitIndex()), sequence));
    }
    confirmReads();
  }

  /** Thesis §6.4 step 3: reads whose round a majority echoed are safe to serve. */
  private void confirmReads() {
    long[] acked = new long[configuration.voters().size()];
    int i = 0;
    for (NodeId voter : configuration.voters()) {
      acked[i++] = voter.equals(id)
          ? reads.lastSequence() : progress.get(voter).heartbeatAckedSequence;
    }
    reads.confirmThrough(Quorum.valueReachedByQuorum(acked, configuration.quorum()));
  }

  /**
   * Thesis §6.4.1: with check-quorum, followers that heard our heartbeat sent at tick t refuse
   * votes until an election timeout after t by their clocks. Ticks are coarse: a follower's
   * count starts at receipt, and its first tick may come at once, so it may vote after only
   * electionTimeout - 1 ticks of real time. The lease therefore ends at
   * t + electionTimeout - 1 - clockDrift by our clock, and clockDriftTicks is all margin for
   * clocks that run at different rates.
   */
  private boolean leaseValid() {
    if (!config.leaseReads() || !leadTransferee.isNone() || leaseForfeited) {
      return false;
    }
    long[] sentTicks = new long[configuration.voters().size()];
    int i = 0;
    for (NodeId voter : configuration.voters()) {
      sentTicks[i++] = voter.equals(id) ? ticks : progress.get(voter).heartbeatAckedSentTick;
    }
    long leaseStart = Quorum.valueReachedByQuorum(sentTicks, configuration.quorum());
    return leaseStart >= 0
        && ticks < leaseStart + config.electionTimeoutTicks() - 1 - config.clockDriftTicks();
  }

  private void debug(String format, Object... args) {
    if (log.debugEnabled()) {
      log.debug(id + " term=" + currentTerm + " " + String.format(format, args));
    }
  }
}
