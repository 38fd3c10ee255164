package io.raftkv.replica;

import java.time.Duration;

/**
 * The one thread of control a replica runs on (ARCHITECTURE.md, threading model). Every handler of
 * the replica runs through it; the replica starts no thread and never blocks. Production gives a
 * real single-threaded loop; the simulator gives its deterministic scheduler, which also decides
 * what {@link #nanoTime()} says (skew, drift, pauses).
 */
public interface EventLoop {
  /** Runs {@code task} on the loop after everything already queued. Callable from any thread. */
  void execute(Runnable task);

  /** Runs {@code task} on the loop once {@code delay} has passed by this loop's clock. */
  Cancellable schedule(Duration delay, Runnable task);

  /**
   * Runs {@code work} somewhere other than the loop: CPU-heavy work that would otherwise stall
   * heartbeats and elections (writing a snapshot image). It must not touch what the loop owns; it
   * hands its result back through {@link #execute}. Production: a worker pool shared by the
   * process; the simulator: a later event of its own.
   */
  void offload(Runnable work);

  /** This node's monotonic clock. Only differences mean anything. */
  long nanoTime();

  /** Whether the caller is running on this loop (production asserts; the simulator: always). */
  boolean inLoop();

  /** A scheduled task that may still be called off. */
  interface Cancellable {
    void cancel();
  }
}
