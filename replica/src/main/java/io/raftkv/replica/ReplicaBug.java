package io.raftkv.replica;

/**
 * Deliberate violations in the replica, for proving that the simulator catches real bugs (as {@link
 * io.raftkv.raft.CoreBug} does for the core). Reachable only through {@link
 * SimulatorDoor#startWithBugs}, never through {@link ReplicaConfig}.
 */
public enum ReplicaBug {
  ACK_BEFORE_FSYNC("acknowledges (to peers and clients) before the batch is durable"),
  SKIP_SESSION_CHECK("proposes writes without their session, so a retried write applies twice"),
  WATCH_SKIPS_RESTORED_REVISIONS(
      "after a leader's snapshot replaces the state machine, open "
          + "watches go on from its revision, not from the one each needs next: they skip what it "
          + "brought, or repeat what they had");

  private final String breaks;

  ReplicaBug(String breaks) {
    this.breaks = breaks;
  }

  public String breaks() {
    return breaks;
  }
}
