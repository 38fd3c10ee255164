package io.raftkv.sim;

/**
 * Deliberate defects the simulator can inject from its side of the seams, to show that its
 * checks have teeth. Off by default; only the simulator can turn one on.
 */
public enum Bug {
  NONE("nothing: the real replica"),
  /**
   * The durable log reports a batch durable as soon as it is handed over, before the fsync:
   * acknowledgements, votes and commits then rest on data a crash can lose (ARCHITECTURE.md
   * property 3 broken).
   */
  ACK_BEFORE_FSYNC("the disk acknowledges a batch before its fsync; a crash loses it");

  private final String breaks;

  Bug(String breaks) {
    this.breaks = breaks;
  }

  /** What the switch breaks, for {@code raftkv sim --bug list}. */
  public String breaks() {
    return breaks;
  }
}
