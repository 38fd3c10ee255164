package io.raftkv.sim;

import java.util.SplittableRandom;

/**
 * How the simulated network carries a message: its latency (an exponential tail above a minimum)
 * and how often it loses or duplicates one.
 */
record NetworkParameters(
    long delayMinNanos, long delayMeanNanos, double dropProbability, double duplicateProbability) {
  private static final long MS = 1_000_000;

  static NetworkParameters draw(SimOptions options, SplittableRandom random) {
    long delayMinNanos = random.nextLong(MS / 10, 2 * MS);
    long delayMeanNanos = random.nextLong(MS, 10 * MS);
    double dropProbability =
        options.faultOn("drops", random.nextBoolean()) ? random.nextDouble(0.001, 0.1) : 0;
    double duplicateProbability =
        options.faultOn("duplicates", random.nextBoolean()) ? random.nextDouble(0.001, 0.05) : 0;
    return new NetworkParameters(
        delayMinNanos, delayMeanNanos, dropProbability, duplicateProbability);
  }

  /** Under churn a message takes about a tick: replication is slow next to the timeouts. */
  NetworkParameters withChurnDelayDrawn(SplittableRandom random) {
    return new NetworkParameters(
        delayMinNanos, random.nextLong(4 * MS, 12 * MS), dropProbability, duplicateProbability);
  }

  long delayNanos(SplittableRandom random) {
    return SimParameters.latencyNanos(random, delayMinNanos, delayMeanNanos);
  }
}
