package io.raftkv.cli.bench;

import java.util.concurrent.CompletableFuture;

/**
 * One request of a benchmark, started without blocking: the load generator calls it from its own
 * threads and from completion callbacks, so it must return at once.
 */
@FunctionalInterface
public interface BenchOperation {
  /**
   * Starts request number {@code sequence} of client {@code client}; the future completes when the
   * store answered (exceptionally on an error, which the generator counts).
   */
  CompletableFuture<?> start(int client, long sequence);
}
