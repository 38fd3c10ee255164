package io.raftkv.server.etcd;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.raftkv.kv.ErrorResponse;
import io.raftkv.kv.KvErrorCode;
import io.raftkv.kv.KvException;
import io.raftkv.replica.ReplicaException;
import io.raftkv.server.AlarmState;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every error the etcd API answers, with etcd 3.4's gRPC code and exact message
 * (api/v3rpc/rpctypes/error.go). The message must be exact: etcd's Go client turns a status into a
 * typed error (ErrCompacted, ErrNoSpace, ...) by matching the whole text, so our details (which
 * key, which revision) travel in the {@value #DETAIL_KEY_NAME} trailer instead.
 */
final class EtcdErrors {
  private static final Logger LOG = LoggerFactory.getLogger(EtcdErrors.class);

  static final String DETAIL_KEY_NAME = "raftkv-detail";
  static final Metadata.Key<String> DETAIL_KEY =
      Metadata.Key.of(DETAIL_KEY_NAME, Metadata.ASCII_STRING_MARSHALLER);

  static final String EMPTY_KEY = "etcdserver: key is not provided";
  static final String TOO_MANY_OPS = "etcdserver: too many operations in txn request";
  static final String DUPLICATE_KEY = "etcdserver: duplicate key given in txn request";
  static final String COMPACTED = "etcdserver: mvcc: required revision has been compacted";
  static final String FUTURE_REVISION = "etcdserver: mvcc: required revision is a future revision";
  static final String REQUEST_TOO_LARGE = "etcdserver: request is too large";
  static final String TOO_MANY_REQUESTS = "etcdserver: too many requests";
  static final String LEASE_NOT_FOUND = "etcdserver: requested lease not found";
  static final String NO_LEADER = "etcdserver: no leader";
  static final String NOT_LEADER = "etcdserver: not leader";
  static final String LEADER_CHANGED = "etcdserver: leader changed";
  static final String STOPPED = "etcdserver: server stopped";
  static final String TIMEOUT = "etcdserver: request timed out";
  static final String TIMEOUT_LEADER_FAIL =
      "etcdserver: request timed out, possibly due to previous leader failure";
  static final String TIMEOUT_LEADER_TRANSFER =
      "etcdserver: request timed out, leader transfer took too long";
  static final String BAD_LEADER_TRANSFEREE = "etcdserver: bad leader transferee";
  static final String MEMBER_NOT_FOUND = "etcdserver: member not found";

  /** mvcc's text without etcdserver's prefix: a watch's cancel_reason carries it like this. */
  static final String WATCHER_RANGE_EMPTY = "mvcc: watcher range is empty";

  static final String WATCHER_DUPLICATE_ID = "mvcc: duplicate watch ID provided on the WatchStream";

  private EtcdErrors() {}

  static StatusRuntimeException status(Status.Code code, String message) {
    return Status.fromCode(code).withDescription(message).asRuntimeException();
  }

  static StatusRuntimeException status(Status.Code code, String message, String detail) {
    Metadata trailers = new Metadata();
    if (!detail.isEmpty()) {
      trailers.put(DETAIL_KEY, ascii(detail));
    }
    return Status.fromCode(code).withDescription(message).asRuntimeException(trailers);
  }

  static StatusRuntimeException noSpace() {
    return status(Status.Code.RESOURCE_EXHAUSTED, AlarmState.NOSPACE_MESSAGE);
  }

  static StatusRuntimeException emptyKey() {
    return status(Status.Code.INVALID_ARGUMENT, EMPTY_KEY);
  }

  static StatusRuntimeException timeout() {
    return status(Status.Code.UNAVAILABLE, TIMEOUT);
  }

  static StatusRuntimeException noLeader() {
    return status(Status.Code.UNAVAILABLE, NO_LEADER);
  }

  static StatusRuntimeException leaderChanged() {
    return status(Status.Code.UNAVAILABLE, LEADER_CHANGED);
  }

  /** Membership changes and auth are not served yet: said plainly, with the issue to watch. */
  static StatusRuntimeException unimplemented(String what) {
    return status(Status.Code.UNIMPLEMENTED, "raftkv: " + what);
  }

  /** A refusal the state machine answered as an applied command. */
  static StatusRuntimeException of(ErrorResponse error) {
    return of(error.code(), error.detail());
  }

  /** Any failure of a request, as the etcd client must see it. */
  static StatusRuntimeException of(Throwable failure) {
    Throwable cause = unwrap(failure);
    return switch (cause) {
      case StatusRuntimeException e -> e;
      case StatusException e -> e.getStatus().asRuntimeException(e.getTrailers());
      case KvException e -> of(e.code(), e.detail());
      case ReplicaException e -> of(e);
      case CancellationException e -> status(Status.Code.CANCELLED, "context canceled");
      case TimeoutException e -> timeout();
      default -> {
        LOG.error("unexpected failure serving an etcd request", cause);
        yield status(Status.Code.INTERNAL, "raftkv: internal error: " + cause);
      }
    };
  }

  static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  static StatusRuntimeException of(KvErrorCode code, String detail) {
    return switch (code) {
      case EMPTY_KEY,
          KEY_NOT_FOUND,
          VALUE_PROVIDED,
          LEASE_PROVIDED,
          TOO_MANY_TXN_OPS,
          DUPLICATE_KEY,
          REQUEST_TOO_LARGE ->
          status(Status.Code.INVALID_ARGUMENT, code.message(), detail);
      // mvcc's errors reach clients with etcdserver's prefix (togRPCError).
      case COMPACTED -> status(Status.Code.OUT_OF_RANGE, COMPACTED, detail);
      case FUTURE_REVISION -> status(Status.Code.OUT_OF_RANGE, FUTURE_REVISION, detail);
      case LEASE_NOT_FOUND -> status(Status.Code.NOT_FOUND, code.message(), detail);
      case LEASE_EXISTS -> status(Status.Code.FAILED_PRECONDITION, code.message(), detail);
      case LEASE_TTL_TOO_LARGE -> status(Status.Code.OUT_OF_RANGE, code.message(), detail);
      case EMPTY_WATCH_RANGE, INVALID_ARGUMENT, MALFORMED_COMMAND ->
          status(Status.Code.INVALID_ARGUMENT, withDetail(code.message(), detail), detail);
      case SESSION_EXPIRED, SESSION_SEQUENCE_STALE ->
          status(Status.Code.FAILED_PRECONDITION, withDetail(code.message(), detail), detail);
      case WATCH_CANCELED -> status(Status.Code.CANCELLED, "etcdserver: watch canceled", detail);
    };
  }

  /**
   * A replica's refusal. Callers retry the retryable kinds (no leader, leadership moving, an entry
   * replaced) before they get here; what remains is what the client must hear.
   */
  static StatusRuntimeException of(ReplicaException e) {
    String detail = e.getMessage();
    return switch (e.kind()) {
      case NOT_LEADER -> status(Status.Code.FAILED_PRECONDITION, NOT_LEADER, detail);
      case NO_LEADER -> status(Status.Code.UNAVAILABLE, NO_LEADER, detail);
      case OVERLOADED -> status(Status.Code.RESOURCE_EXHAUSTED, TOO_MANY_REQUESTS, detail);
      case TOO_LARGE -> status(Status.Code.INVALID_ARGUMENT, REQUEST_TOO_LARGE, detail);
      case TRANSFERRING_LEADERSHIP, DROPPED ->
          status(Status.Code.UNAVAILABLE, LEADER_CHANGED, detail);
      case STOPPED -> status(Status.Code.UNAVAILABLE, STOPPED, detail);
      case OUTCOME_UNKNOWN -> status(Status.Code.UNAVAILABLE, TIMEOUT_LEADER_FAIL, detail);
    };
  }

  /** Whether trying again (here or at the leader) may succeed and cannot apply a write twice. */
  static boolean retryable(Throwable failure) {
    Throwable cause = unwrap(failure);
    if (cause instanceof ReplicaException e) {
      return switch (e.kind()) {
        case NOT_LEADER, NO_LEADER, TRANSFERRING_LEADERSHIP, DROPPED -> true;
        case OVERLOADED, TOO_LARGE, STOPPED, OUTCOME_UNKNOWN -> false;
      };
    }
    if (cause instanceof StatusRuntimeException e) {
      // The leader we forwarded to was no longer leader, or refused the connection: either way
      // the request certainly did not apply there. A connection lost mid-call is not retried:
      // the write may have applied.
      Status status = e.getStatus();
      return status.getCode() == Status.Code.UNAVAILABLE
          && (LEADER_CHANGED.equals(status.getDescription())
              || NO_LEADER.equals(status.getDescription())
              || status.getCause() instanceof java.net.ConnectException);
    }
    return false;
  }

  private static String withDetail(String message, String detail) {
    return detail.isEmpty() ? message : message + " (" + detail + ")";
  }

  /** Trailers carry ASCII only; keys in details may hold any byte. */
  private static String ascii(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length() && out.length() < 512; i++) {
      char c = text.charAt(i);
      out.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return out.toString();
  }
}
