package io.raftkv.raft;

/** A broken internal rule: a bug, never bad input. The node must fail-stop, not carry on. */
public final class InvariantViolation extends Error {
  public InvariantViolation(String message) {
    super(message);
  }
}
