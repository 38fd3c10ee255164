package io.raftkv.kv;

/** Always-on checks of things that cannot happen unless there is a bug (STYLE.md §4). */
final class Invariants {
  private Invariants() {}

  static void check(boolean condition, String format, Object... args) {
    if (!condition) {
      throw new InvariantViolation(String.format(format, args));
    }
  }
}
