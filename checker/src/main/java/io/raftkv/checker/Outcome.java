package io.raftkv.checker;

/** How an operation completed. */
public enum Outcome {
  /** Took effect; the operation's output is known. */
  OK,
  /**
   * Did not take effect. For a compare-and-set without an error this still says the comparison was
   * evaluated and was false; with an error it says the operation was refused before running.
   */
  FAIL,
  /** Indeterminate ({@code info}, or none): took effect once after invoking, or never. */
  UNKNOWN
}
