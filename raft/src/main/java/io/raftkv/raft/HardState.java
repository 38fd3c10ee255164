package io.raftkv.raft;

/**
 * What Figure 2 calls persistent state, plus the commit index so a restart re-applies no less than
 * it had applied. Must be durable before any message that depends on it leaves the node.
 */
public record HardState(long currentTerm, NodeId votedFor, long commitIndex) {
  public static final HardState INITIAL = new HardState(0, NodeId.NONE, 0);

  public HardState {
    if (currentTerm < 0 || commitIndex < 0 || votedFor == null) {
      throw new IllegalArgumentException(
          "bad hard state term=" + currentTerm + " vote=" + votedFor + " commit=" + commitIndex);
    }
  }
}
