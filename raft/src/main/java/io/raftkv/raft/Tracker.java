package io.raftkv.raft;

import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.function.ToLongFunction;

/**
 * Who votes, what the leader knows of each follower, and how the current campaign's votes stand:
 * the one place that knows what a quorum is. Committed index, election result, check-quorum and the
 * lease and read confirmation all ask this class, so a change in what a quorum is (joint consensus,
 * thesis §4.3: a majority of the old and of the new configuration) changes only here, as
 * etcd-io/raft's tracker and quorum packages do.
 *
 * <p>Values are given per voter by a function, this node's own included, and reduced by {@link
 * #quorumValue}; votes are reduced by {@link #voteResult}.
 */
final class Tracker {
  /** Where a tally stands: a quorum granted, a quorum refused, or neither yet. */
  enum VoteResult {
    WON,
    LOST,
    PENDING
  }

  private final NodeId self;
  private Configuration configuration;

  /** One entry per other voter while this node leads, in id order so messages are ordered. */
  private final TreeMap<NodeId, Progress> progress = new TreeMap<>();

  /** The current campaign's votes, granted or refused, by voter. */
  private final Map<NodeId, Boolean> votes = new HashMap<>();

  Tracker(NodeId self, Configuration configuration) {
    this.self = self;
    this.configuration = configuration;
  }

  Configuration configuration() {
    return configuration;
  }

  /** Every node whose vote counts, in id order (under joint consensus: of either half). */
  SortedSet<NodeId> voters() {
    return configuration.voters();
  }

  boolean isVoter(NodeId node) {
    return configuration.contains(node);
  }

  /**
   * A snapshot brought a configuration (§7); only a follower restores one, so nothing is tracked.
   */
  void restoreConfiguration(Configuration restored) {
    Invariants.check(progress.isEmpty(), "%s: configuration restored while leading", self);
    configuration = restored;
  }

  // ---------------------------------------------------------------- progress

  /** A new leader's view: every other voter is probed from {@code nextIndex} (§5.3). */
  void resetProgress(long nextIndex, int inflightAppendsMax) {
    progress.clear();
    for (NodeId voter : voters()) {
      if (!voter.equals(self)) {
        progress.put(voter, new Progress(nextIndex, inflightAppendsMax));
      }
    }
  }

  /** Leadership is over: no follower is tracked until the next term we lead. */
  void clearProgress() {
    progress.clear();
  }

  /** The progress of {@code peer}, or null when it is not a voter we replicate to. */
  Progress progress(NodeId peer) {
    return progress.get(peer);
  }

  /** Every other voter's progress, in id order. */
  Iterable<Map.Entry<NodeId, Progress>> peers() {
    return progress.entrySet();
  }

  // ---------------------------------------------------------------- quorum arithmetic

  /**
   * §5.3 and §5.4.2: the highest index a quorum holds, counting this node at {@code selfIndex} (a
   * leader counts only what its own disk holds). The caller checks the entry's term.
   */
  long committedIndex(long selfIndex) {
    return quorumValue(voter -> voter.equals(self) ? selfIndex : progress.get(voter).matchIndex());
  }

  /** Thesis §6.4 step 3: the latest heartbeat round a quorum echoed (this node sent it). */
  long confirmedRound(long selfSequence) {
    return quorumValue(
        voter -> voter.equals(self) ? selfSequence : progress.get(voter).heartbeatAckedSequence());
  }

  /**
   * Thesis §6.4.1: the tick at which the latest heartbeat round a quorum acknowledged was sent,
   * this node counting as of {@code nowTick}; -1 when no quorum acknowledged a round recent enough.
   */
  long leaseStartTick(long nowTick) {
    return quorumValue(
        voter -> voter.equals(self) ? nowTick : progress.get(voter).heartbeatAckedSentTick());
  }

  /** Thesis §6.2 check-quorum: whether a quorum was heard from since the last check. */
  boolean quorumActive() {
    int active = 0;
    for (NodeId voter : configuration.voters()) {
      if (voter.equals(self) || progress.get(voter).recentActive()) {
        active++;
      }
    }
    return active >= quorumSize(configuration.voters());
  }

  /** Starts a new check-quorum period. */
  void resetRecentActive() {
    progress.values().forEach(Progress::resetRecentActive);
  }

  // ---------------------------------------------------------------- votes

  /** Starts a new tally; a node in any role but (pre-)candidate holds no votes. */
  void resetVotes() {
    votes.clear();
  }

  /** §5.2: records {@code voter}'s first answer in this campaign and returns the tally. */
  VoteResult recordVote(NodeId voter, boolean granted) {
    votes.putIfAbsent(voter, granted);
    return voteResult();
  }

  /** §5.2: a quorum of grants wins (the poll, or the election); a quorum of refusals loses. */
  VoteResult voteResult() {
    int granted = 0;
    int refused = 0;
    for (NodeId voter : configuration.voters()) {
      Boolean vote = votes.get(voter);
      if (vote != null && vote) {
        granted++;
      } else if (vote != null) {
        refused++;
      }
    }
    int quorum = quorumSize(configuration.voters());
    if (granted >= quorum) {
      return VoteResult.WON;
    }
    return refused >= quorum ? VoteResult.LOST : VoteResult.PENDING;
  }

  // ---------------------------------------------------------------- one majority

  /** The largest value at least a quorum of voters reach. Joint consensus: the lower of two. */
  private long quorumValue(ToLongFunction<NodeId> valueOf) {
    Collection<NodeId> voters = configuration.voters();
    long[] sorted = new long[voters.size()];
    int i = 0;
    for (NodeId voter : voters) {
      sorted[i++] = valueOf.applyAsLong(voter);
    }
    Arrays.sort(sorted);
    return sorted[sorted.length - quorumSize(voters)];
  }

  private static int quorumSize(Collection<NodeId> voters) {
    return voters.size() / 2 + 1;
  }
}
