package io.raftkv.kv;

/** A broken invariant is a bug in this module or its caller: the node must fail-stop. */
public final class InvariantViolation extends Error {
  InvariantViolation(String message) {
    super(message);
  }
}
