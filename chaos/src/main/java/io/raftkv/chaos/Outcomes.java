package io.raftkv.chaos;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.raftkv.client.OutcomeUnknownException;
import java.net.ConnectException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * What a failed call means for the history: {@code fail} with its error only when the request
 * certainly did not run, {@code info} otherwise. Never a guess: a failure not known to be a refusal
 * is indeterminate. The client (docs/client.md, the retry table) has already retried what it could
 * and turned a write that may have applied into {@link OutcomeUnknownException}; this only reads
 * how the call ended.
 */
final class Outcomes {
  private static final String NO_LEADER = "etcdserver: no leader";
  private static final String LEADER_CHANGED = "etcdserver: leader changed";

  private Outcomes() {}

  /** The completion type and its reason (the error text). */
  record Outcome(HistoryLog.Type type, String reason) {}

  static Outcome of(Throwable failure) {
    Throwable cause = unwrap(failure);
    if (cause instanceof OutcomeUnknownException) {
      return new Outcome(HistoryLog.Type.INFO, "outcome unknown: " + cause.getMessage());
    }
    if (cause instanceof TimeoutException) {
      return new Outcome(HistoryLog.Type.INFO, "no answer: " + cause.getMessage());
    }
    if (!(cause instanceof StatusRuntimeException e)) {
      return new Outcome(HistoryLog.Type.INFO, String.valueOf(cause));
    }
    Status status = e.getStatus();
    String text = status.getCode() + ": " + status.getDescription();
    return new Outcome(refused(e) ? HistoryLog.Type.FAIL : HistoryLog.Type.INFO, text);
  }

  /**
   * Refused before it ran: no leader to take it, a leader change that dropped it unapplied, a
   * connection that never opened, an overloaded or out-of-space server's refusal, a bad request. A
   * lost connection, a timeout or "request timed out" may have applied: not here.
   */
  private static boolean refused(StatusRuntimeException e) {
    String description = e.getStatus().getDescription();
    return switch (e.getStatus().getCode()) {
      case UNAVAILABLE ->
          NO_LEADER.equals(description)
              || LEADER_CHANGED.equals(description)
              || causedBy(e, ConnectException.class);
      case RESOURCE_EXHAUSTED, INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE -> true;
      default -> false;
    };
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  private static boolean causedBy(Throwable failure, Class<? extends Throwable> type) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }
}
