package io.raftkv.raft;

import io.raftkv.raft.Message.AppendEntries;
import io.raftkv.raft.Message.AppendReply;
import io.raftkv.raft.Message.Heartbeat;
import io.raftkv.raft.Message.InstallSnapshot;
import io.raftkv.raft.Message.RequestVote;
import io.raftkv.raft.Message.VoteKind;
import io.raftkv.raft.Message.VoteReply;

/**
 * Terms and elections: which messages the current term admits (§5.1), the voter's rule (§5.2,
 * §5.4.1, thesis §9.6 pre-vote) and the candidate's tally.
 *
 * <p>{@link RaftNode} owns the term, the vote and the role and makes every transition; this class
 * decides when, and calls {@code becomeFollower}, {@code becomeCandidate} or {@code becomeLeader}.
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

  Elections(
      RaftNode node,
      RaftConfig config,
      RaftLog raftLog,
      Tracker tracker,
      Outbox outbox,
      CoreLog coreLog) {
    this.node = node;
    this.config = config;
    this.id = node.id();
    this.coreLog = coreLog;
    this.raftLog = raftLog;
    this.outbox = outbox;
    this.tracker = tracker;
  }

  /**
   * §5.1 and Figure 2 "Rules for Servers": a higher term makes us a follower, a lower one marks a
   * stale message. Returns whether the message is still to be handled.
   */
  boolean acceptTerm(Message message) {
    long currentTerm = node.currentTerm();
    if (message.term() > currentTerm) {
      if (message instanceof RequestVote request) {
        if (node.inLease() && !request.leadershipTransfer()) {
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
    for (NodeId peer : tracker.configuration().voters()) {
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
            || (request.preVote()
                && request.term() > currentTerm
                && !node.heardFromLeaderRecently());
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
          node.becomeCandidate(VoteKind.VOTE);
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
