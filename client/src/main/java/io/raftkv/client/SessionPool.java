package io.raftkv.client;

import com.google.protobuf.Empty;
import com.google.protobuf.UInt64Value;
import io.grpc.CallOptions;
import io.grpc.stub.ClientCalls;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The client's raftkv sessions. The state machine keeps one answer per session, so a session
 * carries one write at a time; concurrent writes each take an idle session or open one. The first
 * open tells whether the cluster offers sessions at all: a real etcd answers UNIMPLEMENTED and the
 * client then writes plainly ({@link ExactlyOnce#PREFERRED}) or not at all ({@link
 * ExactlyOnce#REQUIRED}).
 */
final class SessionPool {
  /** One session: its id and the sequence of its latest write. Used by one write at a time. */
  static final class Session {
    final long clientId;
    private long lastSequence;

    Session(long clientId) {
      this.clientId = clientId;
    }

    long nextSequence() {
      return ++lastSequence;
    }
  }

  enum Availability {
    UNKNOWN,
    AVAILABLE,
    UNAVAILABLE
  }

  static final String UNAVAILABLE_MESSAGE =
      "exactly-once writes unavailable: the cluster has no raftkv session service (a plain etcd?);"
          + " a write whose outcome is unknown is not retried";

  private final Calls calls;
  private final ExactlyOnce mode;
  private final ArrayDeque<Session> idle = new ArrayDeque<>();
  private volatile Availability availability = Availability.UNKNOWN;

  SessionPool(Calls calls, ExactlyOnce mode) {
    this.calls = calls;
    this.mode = mode;
  }

  Availability availability() {
    return availability;
  }

  /** Whether writes are exactly-once; opens a session to find out if nobody has yet. */
  CompletableFuture<Boolean> probe() {
    if (mode == ExactlyOnce.OFF) {
      return CompletableFuture.completedFuture(false);
    }
    return switch (availability) {
      case AVAILABLE -> CompletableFuture.completedFuture(true);
      case UNAVAILABLE -> CompletableFuture.completedFuture(false);
      case UNKNOWN ->
          open()
              .handle(
                  (session, failure) -> {
                    if (session != null) {
                      release(session);
                    } else if (!Failures.unimplemented(failure)) {
                      throw new java.util.concurrent.CompletionException(Failures.unwrap(failure));
                    }
                    return availability == Availability.AVAILABLE;
                  });
    };
  }

  /** A session for one write; empty when writes go without one. */
  CompletableFuture<Optional<Session>> acquire() {
    if (mode == ExactlyOnce.OFF) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    if (availability == Availability.UNAVAILABLE) {
      return withoutSessions();
    }
    synchronized (idle) {
      Session session = idle.pollLast();
      if (session != null) {
        return CompletableFuture.completedFuture(Optional.of(session));
      }
    }
    return open()
        .thenApply(Optional::of)
        .exceptionallyCompose(
            failure ->
                Failures.unimplemented(failure)
                    ? withoutSessions()
                    : CompletableFuture.failedFuture(Failures.unwrap(failure)));
  }

  /** The write in {@code session} has ended (either way); the next one may use it. */
  void release(Session session) {
    synchronized (idle) {
      idle.addLast(session);
    }
  }

  private CompletableFuture<Optional<Session>> withoutSessions() {
    return mode == ExactlyOnce.REQUIRED
        ? CompletableFuture.failedFuture(new ExactlyOnceUnavailableException(UNAVAILABLE_MESSAGE))
        : CompletableFuture.completedFuture(Optional.empty());
  }

  /** A duplicate open after a lost reply costs one unused session, evicted in time: retried. */
  private CompletableFuture<Session> open() {
    CompletableFuture<UInt64Value> opened =
        calls.call(
            Calls.Route.LEADER,
            Calls.Kind.READ,
            (channel, timeout) ->
                ClientCalls.futureUnaryCall(
                    channel.newCall(
                        SessionProtocol.OPEN,
                        CallOptions.DEFAULT.withDeadlineAfter(
                            timeout.toMillis(), TimeUnit.MILLISECONDS)),
                    Empty.getDefaultInstance()));
    return opened.handle(
        (value, failure) -> {
          if (failure == null) {
            availability = Availability.AVAILABLE;
            return new Session(value.getValue());
          }
          if (Failures.unimplemented(failure)) {
            availability = Availability.UNAVAILABLE;
          }
          throw new java.util.concurrent.CompletionException(Failures.unwrap(failure));
        });
  }
}
