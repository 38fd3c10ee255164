package io.raftkv.cli.bench;

import java.time.Duration;

/**
 * How hard and how long to drive a store.
 *
 * @param clients concurrent clients, each with at most one request outstanding
 * @param warmup time run before measuring: requests started in it are not counted
 * @param measured the window whose completed requests make the result
 * @param ratePerSecond total requests per second over all clients, or 0 to run each client as fast
 *     as the store answers (closed loop). With a rate, each request has an intended start time and
 *     its latency counts from then, so a stalled store is charged for the requests it kept from
 *     starting (coordinated omission corrected, as wrk2 does)
 * @param drainTimeout how long to wait at the end for requests still outstanding
 */
public record LoadPlan(
    int clients, Duration warmup, Duration measured, double ratePerSecond, Duration drainTimeout) {
  public LoadPlan {
    if (clients < 1) {
      throw new IllegalArgumentException("clients must be at least 1, not " + clients);
    }
    if (warmup.isNegative()) {
      throw new IllegalArgumentException("warmup must not be negative: " + warmup);
    }
    if (measured.isNegative() || measured.isZero()) {
      throw new IllegalArgumentException("the measured time must be positive: " + measured);
    }
    if (ratePerSecond < 0 || Double.isNaN(ratePerSecond)) {
      throw new IllegalArgumentException("rate must be 0 (unbounded) or positive");
    }
  }

  boolean openLoop() {
    return ratePerSecond > 0;
  }

  /** The gap between one client's intended starts, when a rate is given. */
  long clientIntervalNanos() {
    return Math.round(clients * 1e9 / ratePerSecond);
  }
}
