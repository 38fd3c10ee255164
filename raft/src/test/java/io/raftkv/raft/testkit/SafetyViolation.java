package io.raftkv.raft.testkit;

/** One of Figure 3's guarantees does not hold: the core has a bug. */
public final class SafetyViolation extends AssertionError {
  public SafetyViolation(String message) {
    super(message);
  }
}
