package io.raftkv.raft;

import io.raftkv.raft.Message.AppendEntries;
import io.raftkv.raft.Message.AppendReply;
import io.raftkv.raft.Message.Heartbeat;
import io.raftkv.raft.Message.HeartbeatReply;
import io.raftkv.raft.Message.InstallSnapshot;
import io.raftkv.raft.Message.SnapshotReply;
import io.raftkv.raft.Message.TimeoutNow;
import io.raftkv.raft.ProposeResult.Rejected;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The leader's side of one term: per-follower replication and flow control, reply handling,
 * commitment, ReadIndex confirmation and leases, and leadership transfer.
 *
 * <p>{@link RaftNode} creates one in {@code becomeLeader} and drops it on stepping down, so a
 * follower or candidate holds no leader state at all, and a new term starts from fresh state. The
 * term is fixed for the object's life: a node leaves leadership before its term changes.
 */
final class Leader {
  private final RaftNode node;
  private final RaftConfig config;
  private final NodeId id;

  /** The term this node leads; a later term gets a new {@code Leader}. */
  private final long currentTerm;

  private final CoreLog coreLog;
  private final RaftLog raftLog;
  private final Outbox outbox;
  private final ReadTracker reads;

  /** The followers' progress and every quorum computed over it. */
  private final Tracker tracker;

  private int heartbeatElapsedTicks;
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

  /** Takes leadership of {@code node}'s current term; every follower is probed from the end. */
  Leader(
      RaftNode node,
      RaftConfig config,
      RaftLog raftLog,
      Tracker tracker,
      Outbox outbox,
      ReadTracker reads,
      CoreLog coreLog) {
    this.node = node;
    this.config = config;
    this.id = node.id();
    this.currentTerm = node.currentTerm();
    this.coreLog = coreLog;
    this.raftLog = raftLog;
    this.outbox = outbox;
    this.reads = reads;
    this.tracker = tracker;
    tracker.resetProgress(raftLog.lastIndex() + 1, config.inflightAppendsMax());
  }

  // ---------------------------------------------------------------- ticks

  void tickTransfer() {
    if (!leadTransferee.isNone() && ++transferElapsedTicks >= config.electionTimeoutTicks()) {
      // Thesis §3.10: a transfer that has not finished within an election timeout is abandoned.
      info("aborted leadership transfer to %s", leadTransferee);
      leadTransferee = NodeId.NONE;
    }
  }

  void tickHeartbeat() {
    heartbeatElapsedTicks++;
    if (heartbeatElapsedTicks >= config.heartbeatTicks()) {
      heartbeatElapsedTicks = 0;
      broadcastHeartbeat();
    }
  }

  // ---------------------------------------------------------------- inputs

  /** {@link RaftNode#propose(List)} once this node is known to lead. */
  ProposeResult propose(List<byte[]> commands) {
    if (!leadTransferee.isNone()) {
      return new Rejected(RejectReason.TRANSFERRING_LEADERSHIP, id);
    }
    long bytes = 0;
    for (byte[] command : commands) {
      if (command.length > config.entryBytesMax()) {
        return new Rejected(RejectReason.TOO_LARGE, id);
      }
      bytes += command.length;
    }
    if (uncommittedBytes > 0 && uncommittedBytes + bytes > config.uncommittedBytesMax()) {
      return new Rejected(RejectReason.OVERLOADED, id);
    }
    long first = raftLog.lastIndex() + 1;
    for (byte[] command : commands) {
      raftLog.append(Entry.command(currentTerm, raftLog.lastIndex() + 1, command));
    }
    uncommittedBytes += bytes;
    broadcastAppend();
    return new ProposeResult.Accepted(first, raftLog.lastIndex(), currentTerm);
  }

  /** {@link RaftNode#readIndex(long)} once this node is known to lead (thesis §6.4). */
  Optional<Rejected> readIndex(long requestId) {
    return admitRead(requestId, NodeId.NONE);
  }

  /** A follower's read, forwarded: answered with a ReadIndexReply once confirmed. */
  void handleReadIndexRequest(Message.ReadIndexRequest request) {
    if (admitRead(request.requestId(), request.from()).isPresent()) {
      outbox.send(
          Message.ReadIndexReply.refused(currentTerm, id, request.from(), request.requestId()));
    }
    answerConfirmedRemoteReads();
  }

  private Optional<Rejected> admitRead(long requestId, NodeId origin) {
    if (reads.pendingCount() >= config.readsPendingMax()) {
      return Optional.of(new Rejected(RejectReason.OVERLOADED, id));
    }
    if (node.hasBug(CoreBug.READ_WITHOUT_CONFIRMATION)) {
      reads.readyNow(requestId, raftLog.commitIndex(), origin);
      return Optional.empty();
    }
    if (!committedInCurrentTerm()) {
      // Thesis §6.4 step 1: until an entry of its term commits, the leader's commit index may
      // lag what earlier leaders committed.
      reads.awaitTermCommit(requestId, origin);
    } else if (leaseValid()) {
      reads.readyNow(requestId, raftLog.commitIndex(), origin);
    } else {
      reads.awaitRound(requestId, raftLog.commitIndex(), origin);
    }
    return Optional.empty();
  }

  private void answerConfirmedRemoteReads() {
    for (ReadTracker.RemoteRead read : reads.takeRemoteConfirmed()) {
      outbox.send(
          Message.ReadIndexReply.confirmed(
              currentTerm, id, read.origin(), read.requestId(), read.readIndex()));
    }
  }

  private boolean committedInCurrentTerm() {
    return raftLog.term(raftLog.commitIndex()) == currentTerm;
  }

  /** Thesis §3.10: hands leadership to {@code target} once it has caught up. */
  Optional<Rejected> transferLeadership(NodeId target) {
    if (!tracker.isVoter(target)) {
      return Optional.of(new Rejected(RejectReason.UNKNOWN_NODE, id));
    }
    if (target.equals(id)) {
      return Optional.empty();
    }
    info("transferring leadership to %s", target);
    leadTransferee = target;
    transferElapsedTicks = 0;
    timeoutNowSent = false;
    Progress pr = tracker.progress(target);
    if (pr.matchIndex() == raftLog.lastIndex()) {
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

  /** The target of the leadership transfer under way, or {@link NodeId#NONE}. */
  NodeId leadTransferee() {
    return leadTransferee;
  }

  // ---------------------------------------------------------------- replies

  void handleAppendReply(AppendReply reply) {
    Progress pr = tracker.progress(reply.from());
    if (pr == null) {
      return;
    }
    pr.markActive();
    if (!reply.success()) {
      handleAppendRejection(reply, pr);
      return;
    }
    if (reply.matchIndex() > raftLog.lastIndex()) {
      debug(
          "dropped append reply from %s claiming match %d beyond last %d",
          reply.from(), reply.matchIndex(), raftLog.lastIndex());
      return;
    }
    if (pr.appendAccepted(reply.matchIndex())) {
      maybeCommit();
    }
    if (reply.from().equals(leadTransferee)
        && pr.matchIndex() == raftLog.lastIndex()
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
    long next = reply.conflictIndex();
    if (reply.conflictTerm() > 0) {
      long ours = raftLog.lastIndexOfTerm(reply.conflictTerm(), reply.rejectedIndex());
      if (ours > 0) {
        next = ours + 1;
      }
    }
    if (!pr.maybeDecrTo(reply.rejectedIndex(), next)) {
      return;
    }
    debug(
        "backtracked %s to next=%d after rejection at %d",
        reply.from(), pr.nextIndex(), reply.rejectedIndex());
    replicateTo(reply.from(), pr);
  }

  void handleHeartbeatReply(HeartbeatReply reply) {
    Progress pr = tracker.progress(reply.from());
    if (pr == null) {
      return;
    }
    pr.markActive();
    if (pr.heartbeatAcked(reply.sequence(), reads.sentTick(reply.sequence()))) {
      confirmReads();
    }
    if (pr.state() == Progress.State.SNAPSHOT) {
      // The chunk or its answer may have been lost: resend once the follower has been quiet.
      if (node.ticks() - pr.snapshotChunkSentTick() >= 2L * config.heartbeatTicks()) {
        sendSnapshotChunk(reply.from(), pr);
      }
      return;
    }
    pr.heartbeatAnswered();
    if (pr.matchIndex() < raftLog.lastIndex()) {
      sendAppend(reply.from(), pr, true);
    }
  }

  void handleSnapshotReply(SnapshotReply reply) {
    Progress pr = tracker.progress(reply.from());
    if (pr == null) {
      return;
    }
    pr.markActive();
    if (reply.installed()) {
      pr.snapshotInstalled(Math.min(reply.matchIndex(), raftLog.lastIndex()));
      maybeCommit();
      replicateTo(reply.from(), pr);
      return;
    }
    if (pr.snapshotChunkAcked(reply.snapshotIndex(), reply.nextOffset())) {
      sendSnapshotChunk(reply.from(), pr);
    }
  }

  // ---------------------------------------------------------------- commitment

  /** §5.3 and §5.4.2: commit the highest index a majority holds, if it is of this term. */
  void maybeCommit() {
    long candidate = tracker.committedIndex(raftLog.persistedIndex());
    long oldCommit = raftLog.commitIndex();
    boolean ofThisTerm =
        raftLog.term(candidate) == currentTerm
            || node.hasBug(CoreBug.COMMIT_EARLIER_TERM_BY_COUNTING);
    if (candidate <= oldCommit || !ofThisTerm) {
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

  // ---------------------------------------------------------------- replication

  /** Sends what each follower's flow control allows. */
  void broadcastAppend() {
    for (Map.Entry<NodeId, Progress> entry : tracker.peers()) {
      replicateTo(entry.getKey(), entry.getValue());
    }
  }

  private void replicateTo(NodeId peer, Progress pr) {
    if (pr.state() == Progress.State.PROBE) {
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
    long prevIndex = pr.nextIndex() - 1;
    long prevTerm = raftLog.term(prevIndex);
    if (prevTerm == RaftLog.UNKNOWN_TERM) {
      Invariants.check(
          prevIndex < raftLog.snapshotIndex(),
          "%s: next=%d for %s beyond log %d",
          id,
          pr.nextIndex(),
          peer,
          raftLog.lastIndex());
      startSnapshot(peer, pr);
      return false;
    }
    List<Entry> entries =
        pr.nextIndex() <= raftLog.lastIndex()
            ? raftLog.slice(pr.nextIndex(), config.appendEntriesMax(), config.appendBytesMax())
            : List.of();
    if (entries.isEmpty() && !allowEmpty) {
      return false;
    }
    outbox.send(
        new AppendEntries(
            currentTerm, id, peer, prevIndex, prevTerm, entries, raftLog.commitIndex()));
    pr.appendSent(prevIndex + entries.size());
    return true;
  }

  private void startSnapshot(NodeId peer, Progress pr) {
    Snapshot latestSnapshot = node.snapshot().orElse(null);
    Invariants.check(
        latestSnapshot != null, "%s: %s needs compacted entries but no snapshot", id, peer);
    info("sending snapshot index=%d to %s", latestSnapshot.index(), peer);
    pr.becomeSnapshot(latestSnapshot);
    sendSnapshotChunk(peer, pr);
  }

  private void sendSnapshotChunk(NodeId peer, Progress pr) {
    Snapshot snapshot = pr.snapshot();
    int offset = (int) Math.min(pr.snapshotOffsetAcked(), snapshot.data().length);
    outbox.send(
        InstallSnapshot.chunkOf(
            currentTerm, id, peer, snapshot, offset, config.snapshotChunkBytes()));
    pr.snapshotChunkSent(node.ticks());
  }

  // ---------------------------------------------------------------- heartbeats, reads, lease

  void broadcastHeartbeat() {
    long sequence = reads.startRound(node.ticks(), config.electionTimeoutTicks());
    for (Map.Entry<NodeId, Progress> entry : tracker.peers()) {
      Progress pr = entry.getValue();
      outbox.send(
          new Heartbeat(
              currentTerm,
              id,
              entry.getKey(),
              Math.min(pr.matchIndex(), raftLog.commitIndex()),
              sequence));
    }
    confirmReads();
  }

  /** Thesis §6.4 step 3: reads whose round a majority echoed are safe to serve. */
  private void confirmReads() {
    reads.confirmThrough(tracker.confirmedRound(reads.lastSequence()));
    answerConfirmedRemoteReads();
  }

  /**
   * Thesis §6.4.1: with check-quorum, followers that heard our heartbeat sent at tick t refuse
   * votes until an election timeout after t by their clocks. Ticks are coarse: a follower's count
   * starts at receipt, and its first tick may come at once, so it may vote after only
   * electionTimeout - 1 ticks of real time. The lease therefore ends at t + electionTimeout - 1 -
   * clockDrift by our clock, and clockDriftTicks is all margin for clocks that run at different
   * rates.
   */
  boolean leaseValid() {
    if (!config.leaseReads() || !leadTransferee.isNone() || leaseForfeited) {
      return false;
    }
    long ticks = node.ticks();
    long leaseStart = tracker.leaseStartTick(ticks);
    return leaseStart >= 0 && ticks < leaseStart + leaseTicks();
  }

  private long leaseTicks() {
    return node.hasBug(CoreBug.LEASE_WITHOUT_DRIFT_BOUND)
        ? config.electionTimeoutTicks()
        : config.electionTimeoutTicks() - 1 - config.clockDriftTicks();
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
