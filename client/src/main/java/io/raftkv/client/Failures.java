package io.raftkv.client;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.ConnectException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * What a failed attempt means for the next one. etcd's texts are matched whole, as etcd's Go client
 * does (api/v3rpc/rpctypes/error.go): the message is the error's identity.
 */
final class Failures {
  static final String NO_LEADER = "etcdserver: no leader";
  static final String LEADER_CHANGED = "etcdserver: leader changed";
  static final String TOO_MANY_REQUESTS = "etcdserver: too many requests";
  static final String COMPACTED = "etcdserver: mvcc: required revision has been compacted";
  static final String LEASE_NOT_FOUND = "etcdserver: requested lease not found";

  /** raftkv's refusal of a write on a session it no longer knows (KvErrorCode.SESSION_EXPIRED). */
  static final String SESSION_EXPIRED = "raftkv: client session expired or unknown";

  private Failures() {}

  /** How an attempt ended, seen from a client that may try again. */
  enum Verdict {
    /** Certainly not applied, and trying again (elsewhere, later) may succeed. */
    RETRY_SAFE,
    /** May have applied: retried only when a retry cannot apply twice (reads, session writes). */
    RETRY_IF_IDEMPOTENT,
    /** The server's definite answer (bad request, compacted, lease not found ...): final. */
    FINAL
  }

  static Verdict verdict(Throwable failure) {
    if (!(unwrap(failure) instanceof StatusRuntimeException e)) {
      return Verdict.FINAL;
    }
    Status status = e.getStatus();
    String description = status.getDescription() == null ? "" : status.getDescription();
    return switch (status.getCode()) {
      case UNAVAILABLE -> {
        // "leader changed": raftkv answers it for an entry another leader replaced or a forward
        // that reached a deposed leader, both certainly not applied.
        if (description.equals(NO_LEADER)
            || description.equals(LEADER_CHANGED)
            || causedBy(e, ConnectException.class)) {
          yield Verdict.RETRY_SAFE;
        }
        // A connection lost mid-call, "request timed out", "server stopped": it may have applied.
        yield Verdict.RETRY_IF_IDEMPOTENT;
      }
      case RESOURCE_EXHAUSTED ->
          description.equals(TOO_MANY_REQUESTS) ? Verdict.RETRY_SAFE : Verdict.FINAL;
      // Our own per-attempt deadline: the request may be applying right now.
      case DEADLINE_EXCEEDED -> Verdict.RETRY_IF_IDEMPOTENT;
      // grpc-java's Netty transport reports a connection that died mid-call (a leader killed
      // with -9) as UNKNOWN "channel closed": it may have applied, like a lost connection.
      case UNKNOWN ->
          description.equals("channel closed") ? Verdict.RETRY_IF_IDEMPOTENT : Verdict.FINAL;
      default -> Verdict.FINAL;
    };
  }

  /**
   * Whether a stream (watch, keep-alive) that failed so must not be opened again: the server
   * refused the request itself. Anything else, a broken connection above all, is resumed.
   */
  static boolean endsStream(Throwable failure) {
    if (!(unwrap(failure) instanceof StatusRuntimeException e)) {
      return true;
    }
    return switch (e.getStatus().getCode()) {
      case INVALID_ARGUMENT,
          OUT_OF_RANGE,
          UNIMPLEMENTED,
          PERMISSION_DENIED,
          UNAUTHENTICATED,
          FAILED_PRECONDITION,
          NOT_FOUND ->
          true;
      default -> false;
    };
  }

  static boolean sessionExpired(Throwable failure) {
    return unwrap(failure) instanceof StatusRuntimeException e
        && e.getStatus().getCode() == Status.Code.FAILED_PRECONDITION
        && e.getStatus().getDescription() != null
        && e.getStatus().getDescription().startsWith(SESSION_EXPIRED);
  }

  static boolean unimplemented(Throwable failure) {
    return unwrap(failure) instanceof StatusRuntimeException e
        && e.getStatus().getCode() == Status.Code.UNIMPLEMENTED;
  }

  static boolean hasDescription(Throwable failure, String description) {
    return unwrap(failure) instanceof StatusRuntimeException e
        && description.equals(e.getStatus().getDescription());
  }

  static Throwable unwrap(Throwable failure) {
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
