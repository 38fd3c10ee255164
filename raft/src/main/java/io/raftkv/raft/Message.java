package io.raftkv.raft;

import java.util.List;

/**
 * Everything one Raft node says to another. Sealed: a {@code switch} over it has no {@code
 * default}, so a new message type fails compilation wherever it is not handled.
 */
public sealed interface Message {
  long term();

  NodeId from();

  NodeId to();

  /**
   * §5.2 RequestVote, and the pre-vote of thesis §9.6 when {@code preVote}: a pre-vote carries the
   * term the sender would campaign in, and changes no state anywhere. {@code leadershipTransfer}
   * marks a campaign started by TimeoutNow (thesis §3.10), which voters honour even inside a
   * leader's lease.
   */
  record RequestVote(
      long term,
      NodeId from,
      NodeId to,
      long lastLogIndex,
      long lastLogTerm,
      boolean preVote,
      boolean leadershipTransfer)
      implements Message {}

  record VoteReply(long term, NodeId from, NodeId to, boolean preVote, boolean granted)
      implements Message {}

  /** §5.3 AppendEntries. {@code entries} are contiguous, starting at {@code prevLogIndex + 1}. */
  record AppendEntries(
      long term,
      NodeId from,
      NodeId to,
      long prevLogIndex,
      long prevLogTerm,
      List<Entry> entries,
      long leaderCommit)
      implements Message {
    public long lastIndex() {
      return prevLogIndex + entries.size();
    }
  }

  /**
   * The answer to an AppendEntries whose {@code prevLogIndex} was {@code rejectedIndex} (when
   * {@code !success}). On success {@code matchIndex} is the follower's last index known to match
   * the leader. On rejection the follower gives hints for fast backtracking: the term of its entry
   * at the rejected index ({@code conflictTerm}, 0 if it has none) and the first index it holds of
   * that term ({@code conflictIndex}), or its last index + 1 when its log is too short.
   */
  record AppendReply(
      long term,
      NodeId from,
      NodeId to,
      boolean success,
      long matchIndex,
      long rejectedIndex,
      long conflictTerm,
      long conflictIndex)
      implements Message {}

  /**
   * Leadership assertion without log content. {@code commitIndex} is capped by what the follower is
   * known to hold; {@code sequence} is echoed back and confirms ReadIndex rounds and leases.
   */
  record Heartbeat(long term, NodeId from, NodeId to, long commitIndex, long sequence)
      implements Message {}

  record HeartbeatReply(long term, NodeId from, NodeId to, long sequence) implements Message {}

  /** One chunk of a snapshot image: bytes {@code [offset, offset + chunk.length)}. */
  record InstallSnapshot(
      long term,
      NodeId from,
      NodeId to,
      long snapshotIndex,
      long snapshotTerm,
      Configuration configuration,
      long offset,
      byte[] chunk,
      boolean done)
      implements Message {}

  /**
   * The follower's answer to a chunk: the next offset it wants, or {@code installed} once the whole
   * image is durable and restored (then {@code matchIndex} is its last log index).
   */
  record SnapshotReply(
      long term,
      NodeId from,
      NodeId to,
      long snapshotIndex,
      long nextOffset,
      boolean installed,
      long matchIndex)
      implements Message {}

  /** Thesis §3.10: the leader tells a caught-up target to campaign at once. */
  record TimeoutNow(long term, NodeId from, NodeId to) implements Message {}

  /**
   * Thesis §6.4: a follower asks its leader for a read index on behalf of one of its reads; the
   * leader confirms its leadership as for its own reads and answers with a {@link ReadIndexReply}.
   */
  record ReadIndexRequest(long term, NodeId from, NodeId to, long requestId) implements Message {}

  /**
   * The leader's answer: the follower may serve read {@code requestId} once it has applied through
   * {@code readIndex}; {@code rejected} when the leader could not take the read.
   */
  record ReadIndexReply(
      long term, NodeId from, NodeId to, long requestId, long readIndex, boolean rejected)
      implements Message {}
}
