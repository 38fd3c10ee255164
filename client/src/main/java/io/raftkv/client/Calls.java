package io.raftkv.client;

import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.Channel;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;

/**
 * Runs one unary call to its end: picks an endpoint per attempt, gives each attempt its own
 * deadline, and tries again after a capped exponential backoff with full jitter (AWS's "Exponential
 * Backoff and Jitter") while the failure allows it and the call's timeout does. What it may retry
 * depends on the call's {@link Kind}: a plain write is never sent twice when the first may have
 * applied. Results complete on the client's callback executor, never on a gRPC thread.
 */
final class Calls {
  /** Where an attempt goes. */
  enum Route {
    /** Writes and linearizable reads: the leader serves them without a forward. */
    LEADER,
    /** Serializable reads: any member. */
    ANY
  }

  /** Which failures the call may retry, and what running out of attempts means. */
  enum Kind {
    /** Retried on every retryable failure. */
    READ,
    /** A write in a session: a repeat cannot apply twice, so retried like a read. */
    SESSION_WRITE,
    /** A write without a session: retried only on failures that certainly did not apply. */
    PLAIN_WRITE;

    boolean idempotent() {
      return this != PLAIN_WRITE;
    }
  }

  /** One attempt: the call on {@code channel}, which the attempt's deadline already bounds. */
  interface Attempt<T> extends BiFunction<Channel, Duration, ListenableFuture<T>> {}

  private final Endpoints endpoints;
  private final ClientConfig config;
  private final ScheduledExecutorService timer;
  private final Executor callbacks;
  private final Random jitter;
  private final AtomicLong attempts = new AtomicLong();
  private final AtomicLong retries = new AtomicLong();
  private final AtomicLong retriesAfterUnknownOutcome = new AtomicLong();

  Calls(
      Endpoints endpoints,
      ClientConfig config,
      ScheduledExecutorService timer,
      Executor callbacks) {
    this.endpoints = endpoints;
    this.config = config;
    this.timer = timer;
    this.callbacks = callbacks;
    this.jitter = new Random(config.jitterSeed());
  }

  ClientStats stats() {
    return new ClientStats(attempts.get(), retries.get(), retriesAfterUnknownOutcome.get());
  }

  Executor callbacks() {
    return callbacks;
  }

  ScheduledExecutorService timer() {
    return timer;
  }

  Endpoints endpoints() {
    return endpoints;
  }

  ClientConfig config() {
    return config;
  }

  <T> CompletableFuture<T> call(Route route, Kind kind, Attempt<T> attempt) {
    Run<T> run =
        new Run<>(route, kind, attempt, System.nanoTime() + config.callTimeout().toNanos());
    attempt(run);
    return run.result;
  }

  /** As {@link #call}, at one endpoint only (Maintenance.Status of that member, say). */
  <T> CompletableFuture<T> callAt(String endpoint, Attempt<T> attempt) {
    Run<T> run =
        new Run<>(
            Route.ANY, Kind.READ, attempt, System.nanoTime() + config.callTimeout().toNanos());
    run.pinned = endpoint;
    attempt(run);
    return run.result;
  }

  private static final class Run<T> {
    final Route route;
    final Kind kind;
    final Attempt<T> attempt;
    final long deadlineNanos;
    final CompletableFuture<T> result = new CompletableFuture<>();
    String pinned;
    Duration backoffCap;
    int attempts;
    boolean mayHaveApplied;

    Run(Route route, Kind kind, Attempt<T> attempt, long deadlineNanos) {
      this.route = route;
      this.kind = kind;
      this.attempt = attempt;
      this.deadlineNanos = deadlineNanos;
    }
  }

  private <T> void attempt(Run<T> run) {
    long leftNanos = run.deadlineNanos - System.nanoTime();
    Duration timeout = min(Duration.ofNanos(Math.max(leftNanos, 1)), config.attemptTimeout());
    String endpoint =
        run.pinned != null
            ? run.pinned
            : run.route == Route.LEADER ? endpoints.preferLeader() : endpoints.roundRobin();
    run.attempts++;
    attempts.incrementAndGet();
    if (run.attempts > 1) {
      retries.incrementAndGet();
      if (run.mayHaveApplied) {
        retriesAfterUnknownOutcome.incrementAndGet();
      }
    }
    ListenableFuture<T> call;
    try {
      call = run.attempt.apply(endpoints.channel(endpoint), timeout);
    } catch (RuntimeException e) {
      finish(run, null, e);
      return;
    }
    Endpoints.whenDone(
        call, value -> finish(run, value, null), failure -> failed(run, endpoint, failure));
  }

  private <T> void failed(Run<T> run, String endpoint, Throwable failure) {
    Failures.Verdict verdict = Failures.verdict(failure);
    boolean ambiguous = verdict == Failures.Verdict.RETRY_IF_IDEMPOTENT;
    run.mayHaveApplied |= ambiguous && run.kind != Kind.READ;
    boolean may = verdict == Failures.Verdict.RETRY_SAFE || (ambiguous && run.kind.idempotent());
    if (verdict != Failures.Verdict.FINAL) {
      endpoints.suspect(endpoint);
    }
    Duration wait = nextBackoff(run);
    long leftNanos = run.deadlineNanos - System.nanoTime();
    if (!may || leftNanos <= wait.toNanos()) {
      finish(run, null, outcome(run, failure));
      return;
    }
    try {
      ScheduledFuture<?> unused =
          timer.schedule(() -> attempt(run), wait.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException closed) {
      finish(run, null, new CancellationException("the client was closed"));
    }
  }

  /** A write that may have applied and could not be retried (or ran out of time) says so. */
  private static <T> Throwable outcome(Run<T> run, Throwable failure) {
    Throwable cause = Failures.unwrap(failure);
    // A session the server dropped refuses the write unapplied; after an attempt that may have
    // applied, though, it hides whether that one did.
    boolean definite =
        Failures.verdict(cause) == Failures.Verdict.FINAL && !Failures.sessionExpired(cause);
    if (run.kind == Kind.READ || definite || !run.mayHaveApplied) {
      return cause;
    }
    return new OutcomeUnknownException(
        "the write may or may not have applied: "
            + run.attempts
            + " attempt(s), the last failed with "
            + cause,
        cause);
  }

  /** Full jitter: uniform in [0, cap], the cap doubling from backoffFirst up to backoffMax. */
  synchronized Duration nextBackoff(Run<?> run) {
    run.backoffCap =
        run.backoffCap == null
            ? config.backoffFirst()
            : min(run.backoffCap.multipliedBy(2), config.backoffMax());
    return Duration.ofNanos((long) (jitter.nextDouble() * run.backoffCap.toNanos()));
  }

  private <T> void finish(Run<T> run, T value, Throwable failure) {
    callbacks.execute(
        () -> {
          if (failure == null) {
            run.result.complete(value);
          } else {
            run.result.completeExceptionally(failure);
          }
        });
  }

  static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
