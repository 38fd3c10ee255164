package io.raftkv.server;

import io.raftkv.replica.EventLoop;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.PriorityQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The production {@link EventLoop}: one platform thread that runs every replica handler, timers
 * included, and a worker pool behind {@link #offload}.
 *
 * <p>Order: before each queued task the loop runs every timer whose deadline has passed, in
 * deadline order (ties in scheduling order); then the oldest queued task. After a stall (a GC
 * pause, SIGSTOP) both are overdue at once, and the timers win: the replica's tick timer gives the
 * core every tick it is owed before the core sees any message or request that queued up meanwhile.
 * The simulator's loop (SimLoop) runs events by due time instead; the replica's contract holds
 * under both because it counts ticks from the clock, never from timer firings (docs/server.md).
 *
 * <p>A task that throws is a bug: it is logged at ERROR and the process halts, since the replica's
 * state is then unknown (STYLE.md §4). Tests that run several nodes in one JVM pass their own
 * {@link BugHandler} instead, so the bug fails the test with its stack trace rather than halting
 * the test JVM with nothing but an exit status.
 */
public final class NodeEventLoop implements EventLoop, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NodeEventLoop.class);

  /** Exit status after a bug on the loop. */
  public static final int BUG_EXIT_CODE = 70;

  /** What a bug (a task or offloaded work that threw) does; the loop thread stops after it. */
  @FunctionalInterface
  public interface BugHandler {
    void bug(String what, Throwable thrown);
  }

  /** The production handler: log, print the stack trace, halt with {@link #BUG_EXIT_CODE}. */
  public static final BugHandler HALT = NodeEventLoop::haltOnBug;

  private record Timer(long deadlineNanos, long sequence, Runnable task, boolean[] cancelled)
      implements Comparable<Timer> {
    @Override
    public int compareTo(Timer other) {
      int byDeadline = Long.compare(deadlineNanos - other.deadlineNanos, 0);
      return byDeadline != 0 ? byDeadline : Long.compare(sequence, other.sequence);
    }
  }

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition wake = lock.newCondition();
  private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
  private final PriorityQueue<Timer> timers = new PriorityQueue<>();
  private final ExecutorService workers;
  private final Thread thread;
  private final BugHandler onBug;
  private long timerSequence;
  private boolean closing;

  /**
   * @param name the thread's name (the node's)
   * @param workers where {@link #offload} runs work; shared by the process, not closed here
   */
  public NodeEventLoop(String name, ExecutorService workers) {
    this(name, workers, HALT);
  }

  /** A loop whose bugs go to {@code onBug} instead of halting the process (tests). */
  public NodeEventLoop(String name, ExecutorService workers, BugHandler onBug) {
    this.workers = workers;
    this.onBug = onBug;
    this.thread = Thread.ofPlatform().name(name).unstarted(this::run);
    thread.start();
  }

  @Override
  public void execute(Runnable task) {
    lock.lock();
    try {
      if (!closing) {
        tasks.add(task);
        wake.signal();
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    boolean[] cancelled = {false};
    lock.lock();
    try {
      timers.add(new Timer(nanoTime() + delay.toNanos(), timerSequence++, task, cancelled));
      wake.signal();
    } finally {
      lock.unlock();
    }
    // Written and read under the lock: the loop reads it before running the timer.
    return () -> {
      lock.lock();
      try {
        cancelled[0] = true;
      } finally {
        lock.unlock();
      }
    };
  }

  @Override
  public void offload(Runnable work) {
    workers.execute(
        () -> {
          try {
            work.run();
          } catch (RuntimeException | Error e) {
            onBug.bug("offloaded work", e);
          }
        });
  }

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }

  @Override
  public boolean inLoop() {
    return Thread.currentThread() == thread;
  }

  private void run() {
    try {
      while (true) {
        Runnable next = next();
        if (next == null) {
          return;
        }
        next.run();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error e) {
      onBug.bug("event loop task", e);
    }
  }

  /** The next thing to run: an overdue timer first, else the oldest task; null once closed. */
  private Runnable next() throws InterruptedException {
    lock.lock();
    try {
      while (true) {
        long now = nanoTime();
        Timer due = timers.peek();
        if (due != null && due.deadlineNanos() - now <= 0) {
          timers.poll();
          if (!due.cancelled()[0]) {
            return due.task();
          }
          continue;
        }
        if (!tasks.isEmpty()) {
          return tasks.poll();
        }
        if (closing) {
          return null;
        }
        if (due == null) {
          wake.await();
        } else {
          wake.awaitNanos(due.deadlineNanos() - now);
        }
      }
    } finally {
      lock.unlock();
    }
  }

  private static void haltOnBug(String what, Throwable e) {
    LOG.error("bug: {} threw, stopping the node", what, e);
    // The reason must outlive the halt even where no logging backend is bound (test JVMs).
    System.err.println("raftkv: bug: " + what + " threw, stopping the node");
    e.printStackTrace(System.err);
    System.err.flush();
    Runtime.getRuntime().halt(BUG_EXIT_CODE);
  }

  /**
   * Runs what is queued, then stops the thread; timers not yet due never run. Waits up to {@code
   * timeout}.
   */
  public boolean close(Duration timeout) throws InterruptedException {
    lock.lock();
    try {
      closing = true;
      wake.signal();
    } finally {
      lock.unlock();
    }
    if (inLoop()) {
      return false;
    }
    thread.join(timeout.toMillis());
    return !thread.isAlive();
  }

  /** {@link #close(Duration)} with 10 s; an interrupt ends the wait and is kept. */
  @Override
  public void close() {
    try {
      close(Duration.ofSeconds(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A small pool for {@link #offload}: snapshot images are written there. */
  public static ExecutorService workerPool(int threads) {
    return java.util.concurrent.Executors.newFixedThreadPool(
        threads, Thread.ofPlatform().name("worker-", 0).daemon().factory());
  }

  /** Stops a pool made by {@link #workerPool}, waiting briefly for running work. */
  public static void shutdown(ExecutorService pool) throws InterruptedException {
    pool.shutdown();
    pool.awaitTermination(5, TimeUnit.SECONDS);
  }
}
