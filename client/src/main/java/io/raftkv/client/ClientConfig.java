package io.raftkv.client;

import java.time.Duration;
import java.util.List;

/**
 * A client's settings; {@link RaftkvClient.Builder} fills in the defaults.
 *
 * @param endpoints host:port or http://host:port of some members; the rest are learned
 * @param callTimeout the whole of one call, retries included (etcdctl's --command-timeout)
 * @param attemptTimeout one attempt; a write whose attempt times out is retried only in a session
 * @param backoffFirst the wait before the first retry; doubled on each retry up to backoffMax
 * @param backoffMax the cap on that wait; each wait is drawn uniformly in [0, cap] ("full jitter")
 * @param exactlyOnce whether writes carry a raftkv session
 * @param jitterSeed the seed of the backoff jitter, for tests that replay a run
 */
public record ClientConfig(
    List<String> endpoints,
    Duration callTimeout,
    Duration attemptTimeout,
    Duration backoffFirst,
    Duration backoffMax,
    ExactlyOnce exactlyOnce,
    long jitterSeed) {
  public ClientConfig {
    endpoints = List.copyOf(endpoints);
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException("at least one endpoint is needed");
    }
    positive(callTimeout, "callTimeout");
    positive(attemptTimeout, "attemptTimeout");
    positive(backoffFirst, "backoffFirst");
    if (backoffMax.compareTo(backoffFirst) < 0) {
      throw new IllegalArgumentException(
          "backoffMax " + backoffMax + " is below backoffFirst " + backoffFirst);
    }
  }

  private static void positive(Duration duration, String name) {
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + duration);
    }
  }
}
