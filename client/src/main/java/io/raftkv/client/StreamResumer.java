package io.raftkv.client;

import java.time.Duration;
import java.util.Random;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The reconnect half of a stream that resumes after a break (a watch, a keep-alive): forgets the
 * member it broke on as leader, waits a capped exponential backoff with full jitter (as {@link
 * Calls} waits between attempts), then reconnects, and counts the resumes. Its owner calls it under
 * its own lock.
 */
final class StreamResumer {
  private final Calls calls;
  private final Random jitter;
  private Duration backoffCap;
  private int resumes;

  /**
   * @param jitterSeed seeds this stream's waits (the client's seed mixed with the stream's
   *     identity)
   */
  StreamResumer(Calls calls, long jitterSeed) {
    this.calls = calls;
    this.jitter = new Random(jitterSeed);
  }

  int resumeCount() {
    return resumes;
  }

  /** The stream works again: the next break waits the shortest backoff. */
  void succeeded() {
    backoffCap = null;
  }

  /**
   * The stream broke at {@code endpoint}: runs {@code reconnect} after the next backoff. False when
   * the client was closed meanwhile, and nothing will run.
   */
  boolean resumeAfterBreak(String endpoint, Runnable reconnect) {
    resumes++;
    calls.endpoints().suspect(endpoint);
    backoffCap =
        backoffCap == null
            ? calls.config().backoffFirst()
            : Calls.min(backoffCap.multipliedBy(2), calls.config().backoffMax());
    long waitNanos = (long) (jitter.nextDouble() * backoffCap.toNanos());
    try {
      ScheduledFuture<?> unused =
          calls.timer().schedule(reconnect, waitNanos, TimeUnit.NANOSECONDS);
      return true;
    } catch (RejectedExecutionException closed) {
      return false;
    }
  }
}
