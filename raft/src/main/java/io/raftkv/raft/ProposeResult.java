package io.raftkv.raft;

/**
 * The answer to a proposal. {@link Accepted} names where the entries went: they are committed iff a
 * later {@link Ready#committed()} holds those indexes with this term; the same index with another
 * term means they were lost to a leader change.
 */
public sealed interface ProposeResult {
  record Accepted(long firstIndex, long lastIndex, long term) implements ProposeResult {}

  /** {@code leaderHint} is the leader this node believes in, or {@link NodeId#NONE}. */
  record Rejected(RejectReason reason, NodeId leaderHint) implements ProposeResult {}
}
