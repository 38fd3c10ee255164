package io.raftkv.replica;

import io.raftkv.raft.RaftNode;
import java.util.function.BooleanSupplier;

/**
 * The core's clock: the tick timer, and the catch-up that gives the core every tick the event
 * loop's monotonic clock says is due. A timer that fires late (a GC pause, a stalled loop) must not
 * slow the core's clock down: leases and check-quorum are counted in ticks, and a leader that lost
 * time would think its lease still valid (simulator, seed 20). On the loop only.
 */
final class TickClock {
  private final EventLoop loop;
  private final RaftNode node;
  private final ReplicaConfig config;
  private final BooleanSupplier stopped;

  /** Beyond a few election timeouts more ticks change nothing, so a catch-up stops there. */
  private final long catchUpTicksMax;

  /** When the core's last tick was due by the loop's clock. */
  private long lastTickNanos;

  private EventLoop.Cancellable timer;

  TickClock(EventLoop loop, RaftNode node, ReplicaConfig config, BooleanSupplier stopped) {
    this.loop = loop;
    this.node = node;
    this.config = config;
    this.stopped = stopped;
    this.catchUpTicksMax = 4L * config.raft().electionTimeoutTicks();
  }

  /**
   * Ticks are due from now on: every {@code tick} the timer catches the core up, then runs {@code
   * afterTicks}, until the replica stops.
   */
  void start(Runnable afterTicks) {
    lastTickNanos = loop.nanoTime();
    scheduleTick(afterTicks);
  }

  private void scheduleTick(Runnable afterTicks) {
    if (stopped.getAsBoolean()) {
      return;
    }
    timer =
        loop.schedule(
            config.tick(),
            () -> {
              if (!stopped.getAsBoolean()) {
                catchUp();
                afterTicks.run();
                scheduleTick(afterTicks);
              }
            });
  }

  /** The replica stopped: the timer fires no more. */
  void stop() {
    if (timer != null) {
      timer.cancel();
    }
  }

  /** Ticks due by the loop's clock and not yet given to the core. */
  long ticksOwed() {
    return (loop.nanoTime() - lastTickNanos) / config.tick().toNanos();
  }

  /** Gives the core the ticks owed, at most {@code catchUpTicksMax}. */
  void catchUp() {
    long due = ticksOwed();
    for (long i = 0; i < Math.min(due, catchUpTicksMax); i++) {
      node.tick();
    }
    long tickNanos = config.tick().toNanos();
    lastTickNanos = due > catchUpTicksMax ? loop.nanoTime() : lastTickNanos + due * tickNanos;
  }
}
