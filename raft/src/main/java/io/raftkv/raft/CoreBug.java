package io.raftkv.raft;

/**
 * Deliberate violations of one Raft rule each, for proving that the simulator and the checker catch
 * real bugs (issue 7's "teeth"). They are reachable only through the {@link
 * RaftNode#RaftNode(RaftConfig, DurableState, Rng, CoreLog, java.util.Set)} constructor, never
 * through {@link RaftConfig}, so no server configuration can turn one on.
 */
public enum CoreBug {
  COMMIT_EARLIER_TERM_BY_COUNTING(
      "commits an earlier-term entry by counting replicas (§5.4.2, Figure 8)"),
  VOTE_BEFORE_PERSIST("sends a granted vote before the vote is durable (§5.2, Figure 2)"),
  READ_WITHOUT_CONFIRMATION(
      "serves leader reads with neither a ReadIndex round nor a lease (thesis §6.4)"),
  LEASE_WITHOUT_DRIFT_BOUND(
      "lease reads last a full election timeout, with no margin for ticks or drift (§6.4.1)"),
  ACCEPT_STALE_TERM_APPEND("accepts AppendEntries from a leader of an older term (§5.1)"),
  APPLY_BEFORE_COMMIT("hands entries out for applying before they commit (§5.3)");

  private final String breaks;

  CoreBug(String breaks) {
    this.breaks = breaks;
  }

  /** What the switch breaks, for {@code raftkv sim --bug list}. */
  public String breaks() {
    return breaks;
  }
}
