package io.raftkv.sim;

import io.raftkv.replica.EventLoop;
import java.time.Duration;

/**
 * The event loop of one incarnation of a node, on the simulator's scheduler. A paused node's tasks
 * wait until the pause ends, in the order they came due; a crashed incarnation's tasks are dropped
 * (killing the loop is what losing the process's memory looks like).
 */
final class SimLoop implements EventLoop {
  private final Scheduler scheduler;
  private final NodeClock clock;
  private final String name;
  private final String timerName;
  private final String resumedName;
  private final String offloadName;

  /** How long offloaded work (a snapshot image being written) takes, in simulated time. */
  static final long OFFLOAD_NANOS = 2_000_000;

  private boolean alive = true;

  SimLoop(Scheduler scheduler, NodeClock clock, String name) {
    this.scheduler = scheduler;
    this.clock = clock;
    this.name = name;
    this.timerName = name + " timer";
    this.resumedName = name + " resumed";
    this.offloadName = name + " offloaded";
  }

  @Override
  public void execute(Runnable task) {
    scheduler.after(0, name, () -> run(task));
  }

  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    boolean[] cancelled = {false};
    scheduler.after(
        clock.simDelayNanos(delay.toNanos()),
        timerName,
        () -> {
          if (!cancelled[0]) {
            run(task);
          }
        });
    return () -> cancelled[0] = true;
  }

  /**
   * The work runs as an event of its own a little later ({@link #OFFLOAD_NANOS}), so that the
   * loop's events (applies, messages, a leader's snapshot) interleave with it as with a worker
   * thread. A pause holds it too (a GC pause stops every thread); a crash drops it.
   */
  @Override
  public void offload(Runnable work) {
    scheduler.after(OFFLOAD_NANOS, offloadName, () -> run(work));
  }

  @Override
  public long nanoTime() {
    return clock.localNanos(scheduler.nowNanos());
  }

  /** Single-threaded: whatever runs, runs on every loop at once. */
  @Override
  public boolean inLoop() {
    return true;
  }

  boolean alive() {
    return alive;
  }

  /** The process died: nothing queued for it runs any more. */
  void kill() {
    alive = false;
  }

  /** Runs {@code task} on this loop at simulated time {@code atNanos} (a message delivery). */
  void at(long atNanos, String description, Runnable task) {
    scheduler.at(atNanos, description, () -> run(task));
  }

  private void run(Runnable task) {
    if (!alive) {
      return;
    }
    long resumeAt = clock.pausedUntilNanos();
    if (resumeAt > scheduler.nowNanos()) {
      scheduler.at(resumeAt, resumedName, () -> run(task));
      return;
    }
    task.run();
  }
}
