package io.raftkv.server.etcd;

import io.raftkv.replica.EventLoop;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A test-only event loop: one platform thread, a worker pool for offloaded work. Stands in until
 * the production EventLoop (branch server) is merged; then tests use that and this goes.
 */
final class TestLoop implements EventLoop, AutoCloseable {
  private final ScheduledExecutorService thread;
  private final ExecutorService workers = Executors.newFixedThreadPool(2);
  private volatile Thread loopThread;

  TestLoop(String name) {
    thread =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread t = new Thread(task, name);
              t.setDaemon(true);
              loopThread = t;
              return t;
            });
  }

  @Override
  public void execute(Runnable task) {
    if (!thread.isShutdown()) {
      thread.execute(guarded(task));
    }
  }

  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    if (thread.isShutdown()) {
      return () -> {};
    }
    var future = thread.schedule(guarded(task), delay.toNanos(), TimeUnit.NANOSECONDS);
    return () -> future.cancel(false);
  }

  @Override
  public void offload(Runnable work) {
    workers.execute(work);
  }

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }

  @Override
  public boolean inLoop() {
    return Thread.currentThread() == loopThread;
  }

  private static Runnable guarded(Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (RuntimeException | Error e) {
        // A loop task that throws is a bug; print it instead of losing it in the executor.
        e.printStackTrace();
        throw e;
      }
    };
  }

  @Override
  public void close() {
    thread.shutdownNow();
    workers.shutdownNow();
  }
}
