package io.raftkv.raft;

import io.raftkv.raft.Message.AppendEntries;
import io.raftkv.raft.Message.AppendReply;
import io.raftkv.raft.Message.Heartbeat;
import io.raftkv.raft.Message.InstallSnapshot;
import io.raftkv.raft.Message.RequestVote;
import io.raftkv.raft.Message.TimeoutNow;
import io.raftkv.raft.Message.VoteKind;
import io.raftkv.raft.Message.VoteReply;

/**
 * Terms and elections: which messages the current term admits (§5.1), the campaign (pre-vote, then
 * vote), the voter's rule (§5.2, §5.4.1, thesis §9.6 pre-vote) and what the tally, counted by
 * {@link Tracker}, means.
 *
 * <p>{@link RaftNode} owns the term, the vote and the role and makes every transition; this class
 * decides when, and calls {@code becomePreCandidate}, {@code becomeCandidate}, {@code becomeLeader}
 * or {@code becomeFollower}.
 */
final class Elections {
  private final RaftNode node;
  private final RaftConfig config;
  private final NodeId id;
  private final CoreLog coreLog;
  private final RaftLog raftLog;
  private final Outbox outbox;

  /** Holds the current campaign's votes and decides what a quorum of them is. */
  private final Tracker tracker;

  private final ElectionTimer electionTimer;

  Elections(
      RaftNode node,
      RaftConfig config,
      RaftLog raftLog,
      Tracker tracker,
      ElectionTimer electionTimer,
      Outbox outbox,
      CoreLog coreLog) {
    this.node = node;
    this.config = config;
    this.id = node.id();
    this.coreLog = coreLog;
    this.raftLog = raftLog;
    this.outbox = outbox;
    this.tracker = tracker;
    this.electionTimer = electionTimer;
  }

  /**
   * The election sequence starts here, when the election timer expires, on {@code campaign()} or on
   * TimeoutNow: a pre-vote poll first where configured (thesis §9.6), then the election (§5.2); a
   * transfer skips the poll (thesis §3.10). Votes come back through {@link #handleVoteReply}; a
   * quorum of them makes the node a candidate, then a leader.
   */
  void campaign(VoteKind kind) {
    if (!tracker.isVoter(id)) {
      return;
    }
    if (!config.preVote() || kind == VoteKind.TRANSFER) {
      startElection(kind);
      return;
    }
    node.becomePreCandidate();
    recordVote(id, VoteKind.PRE_VOTE, true);
    if (node.role() == Role.PRE_CANDIDATE) {
      requestVotes(node.currentTerm() + 1, VoteKind.PRE_VOTE);
    }
  }

  /** §5.2: a new term, our own vote, and everyone else asked. */
  private void startElection(VoteKind kind) {
    node.becomeCandidate(kind);
    recordVote(id, kind, true);
    if (node.role() == Role.CANDIDATE) {
      requestVotes(node.currentTerm(), kind);
    }
  }

  /** Thesis §3.10: the transfer target skips pre-vote and campaigns at once. */
  void handleTimeoutNow(TimeoutNow message) {
    if (node.role() != Role.LEADER) {
      coreLog.info(
          String.format(
              "%s term=%d received TimeoutNow from %s", id, node.currentTerm(), message.from()));
      campaign(VoteKind.TRANSFER);
    }
  }

  /**
   * Thesis §9.6: a pre-vote is granted only by a node that has not heard from a leader for an
   * election timeout, whether or not check-quorum is on; otherwise a node that cannot reach the
   * leader but can reach us could depose a healthy leader.
   */
  private boolean heardFromLeaderRecently() {
    return !node.leader().isNone() && !electionTimer.electionTimeoutElapsed();
  }

  /**
   * Whether we heard from a leader within the minimum election timeout. Where leases are in use (a
   * cluster-wide setting), a node that has just started counts as having heard from one: its memory
   * of the leader is gone, and a leader's lease may still rely on it.
   */
  boolean inLease() {
    boolean bootGuard = config.leaseReads() && node.ticks() < config.electionTimeoutTicks();
    return config.checkQuorum()
        && !electionTimer.electionTimeoutElapsed()
        && (!node.leader().isNone() || bootGuard);
  }

  /**
   * §5.1 and Figure 2 "Rules for Servers": a higher term makes us a follower, a lower one marks a
   * stale message. Returns whether the message is still to be handled.
   */
  boolean acceptTerm(Message message) {
    long currentTerm = node.currentTerm();
    if (message.term() > currentTerm) {
      if (message instanceof RequestVote request) {
        if (inLease() && !request.leadershipTransfer()) {
          // Thesis §4.2.3 / §6.2: we heard from a live leader within the minimum election
          // timeout, so a vote request is disruption, not a dead leader; ignore it entirely.
          debug(
              "ignored %s vote request from %s term=%d: leader %s is live",
              request.preVote() ? "pre" : "", request.from(), request.term(), node.leader());
          return false;
        }
        if (request.preVote()) {
          return true;
        }
        node.becomeFollower(message.term(), NodeId.NONE);
        return true;
      }
      if (message instanceof VoteReply reply && reply.preVote() && reply.granted()) {
        // A granted poll carries the term we would campaign in; it is not news of a higher term.
        return true;
      }
      boolean fromLeader =
          message instanceof AppendEntries
              || message instanceof Heartbeat
              || message instanceof InstallSnapshot;
      node.becomeFollower(message.term(), fromLeader ? message.from() : NodeId.NONE);
      return true;
    }
    if (message.term() < currentTerm) {
      if (message instanceof AppendEntries && node.hasBug(CoreBug.ACCEPT_STALE_TERM_APPEND)) {
        return true;
      }
      if ((config.checkQuorum() || config.preVote())
          && (message instanceof AppendEntries || message instanceof Heartbeat)) {
        // A deposed leader whose higher-term peers never campaign against it (pre-vote and
        // check-quorum suppress that) would otherwise never learn it was deposed.
        outbox.send(AppendReply.staleTerm(currentTerm, id, message.from()));
      } else if (message instanceof RequestVote request && request.preVote()) {
        outbox.send(VoteReply.refused(currentTerm, id, message.from(), VoteKind.PRE_VOTE));
      } else {
        debug("dropped stale message from %s term=%d", message.from(), message.term());
      }
      return false;
    }
    return true;
  }

  /** Asks every other voter for its vote in {@code term}, or, for a pre-vote, polls it. */
  void requestVotes(long term, VoteKind kind) {
    for (NodeId peer : tracker.voters()) {
      if (!peer.equals(id)) {
        outbox.send(new RequestVote(term, id, peer, raftLog.lastIndex(), raftLog.lastTerm(), kind));
      }
    }
  }

  /** §5.2, §5.4.1 and thesis §9.6. */
  void handleRequestVote(RequestVote request) {
    long currentTerm = node.currentTerm();
    NodeId votedFor = node.votedFor();
    boolean canVote =
        votedFor.equals(request.from())
            || (votedFor.isNone() && node.leader().isNone())
            || (request.preVote() && request.term() > currentTerm && !heardFromLeaderRecently());
    boolean granted = canVote && raftLog.isUpToDate(request.lastLogIndex(), request.lastLogTerm());
    if (granted && !request.preVote()) {
      node.voteFor(request.from());
    }
    debug(
        "%s %s vote to %s term=%d",
        granted ? "granted" : "refused",
        request.preVote() ? "pre" : "",
        request.from(),
        request.term());
    long replyTerm = granted && request.preVote() ? request.term() : currentTerm;
    VoteReply reply =
        granted
            ? VoteReply.granted(replyTerm, id, request.from(), request.kind())
            : VoteReply.refused(replyTerm, id, request.from(), request.kind());
    if (granted && node.hasBug(CoreBug.VOTE_BEFORE_PERSIST)) {
      outbox.sendBeforePersist(reply);
    } else {
      outbox.send(reply);
    }
  }

  void handleVoteReply(VoteReply reply) {
    Role expected = reply.preVote() ? Role.PRE_CANDIDATE : Role.CANDIDATE;
    long expectedTerm = reply.preVote() ? node.currentTerm() + 1 : node.currentTerm();
    if (node.role() != expected || (reply.granted() && reply.term() != expectedTerm)) {
      return;
    }
    recordVote(reply.from(), reply.kind(), reply.granted());
  }

  /** §5.2: winning the poll starts the election, winning the election makes a leader. */
  void recordVote(NodeId voter, VoteKind kind, boolean granted) {
    switch (tracker.recordVote(voter, granted)) {
      case WON -> {
        if (kind == VoteKind.PRE_VOTE) {
          startElection(VoteKind.VOTE);
        } else {
          node.becomeLeader();
        }
      }
      case LOST -> node.becomeFollower(node.currentTerm(), NodeId.NONE);
      case PENDING -> {}
    }
  }

  private void debug(String format, Object... args) {
    if (coreLog.debugEnabled()) {
      coreLog.debug(id + " term=" + node.currentTerm() + " " + String.format(format, args));
    }
  }
}
