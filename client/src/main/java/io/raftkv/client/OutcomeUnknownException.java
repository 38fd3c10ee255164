package io.raftkv.client;

/**
 * A write that may or may not have applied: every attempt the client was allowed to make failed in
 * a way that leaves its outcome open (a connection lost mid-call, a timeout, a session the server
 * dropped). Read the key to learn which. With exactly-once on, the client retries such writes
 * itself and this comes only when the call's timeout ran out or the session expired.
 */
public final class OutcomeUnknownException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  OutcomeUnknownException(String message, Throwable lastFailure) {
    super(message, lastFailure);
  }
}
