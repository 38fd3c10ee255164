package io.raftkv.raft;

/**
 * Always-on assertions (STYLE.md §4): Java's {@code assert} needs {@code -ea}, so we do not use it.
 */
public final class Invariants {
  private Invariants() {}

  public static void check(boolean condition, String format, Object... args) {
    if (!condition) {
      throw new InvariantViolation(String.format(format, args));
    }
  }

  /** As above, boxing nothing unless the check fails: for checks on every append. */
  public static void check(boolean condition, String format, long value) {
    if (!condition) {
      throw new InvariantViolation(String.format(format, value));
    }
  }

  /** As above, boxing nothing unless the check fails: for checks on every append. */
  public static void check(boolean condition, String format, long first, long second) {
    if (!condition) {
      throw new InvariantViolation(String.format(format, first, second));
    }
  }
}
