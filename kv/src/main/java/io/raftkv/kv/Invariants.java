package io.raftkv.kv;

/** Always-on checks of things that cannot happen unless there is a bug (STYLE.md §4). */
final class Invariants {
  private Invariants() {}

  /**
   * A {@code byte[]} argument is printed as a key ({@link Bytes#printable}) only if the check
   * fails: hot paths pass keys without building a string per call.
   */
  static void check(boolean condition, String format, Object... args) {
    if (!condition) {
      for (int i = 0; i < args.length; i++) {
        if (args[i] instanceof byte[] key) {
          args[i] = Bytes.printable(key);
        }
      }
      throw new InvariantViolation(String.format(format, args));
    }
  }
}
