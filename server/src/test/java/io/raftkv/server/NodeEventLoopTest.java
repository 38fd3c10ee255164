package io.raftkv.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The production loop's order: overdue timers before queued tasks (docs/server.md). */
class NodeEventLoopTest {
  private final ExecutorService workers = NodeEventLoop.workerPool(1);
  private final NodeEventLoop loop = new NodeEventLoop("test-loop", workers);

  @AfterEach
  void close() throws InterruptedException {
    loop.close(Duration.ofSeconds(5));
    NodeEventLoop.shutdown(workers);
  }

  @Test
  void afterAStallOverdueTimersRunBeforeTasksQueuedDuringIt() throws Exception {
    List<String> order = new CopyOnWriteArrayList<>();
    CountDownLatch stalled = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    loop.execute(
        () -> {
          stalled.countDown();
          await(release); // the stall: the loop thread is held here
        });
    stalled.await(5, TimeUnit.SECONDS);
    loop.schedule(Duration.ofMillis(1), () -> order.add("timer"));
    loop.execute(() -> order.add("message"));
    long due = System.nanoTime() + Duration.ofMillis(20).toNanos();
    while (System.nanoTime() < due) {
      Thread.onSpinWait(); // let the timer become overdue while the loop is stalled
    }
    release.countDown();

    CompletableFuture<Void> drained = new CompletableFuture<>();
    loop.execute(() -> drained.complete(null));
    drained.get(5, TimeUnit.SECONDS);
    assertThat(order).containsExactly("timer", "message");
  }

  @Test
  void aCancelledTimerNeverRunsAndTasksRunInOrder() throws Exception {
    List<String> order = new CopyOnWriteArrayList<>();
    // Scheduled and cancelled within one loop task, so it cannot fire in between.
    loop.execute(() -> loop.schedule(Duration.ofMillis(1), () -> order.add("cancelled")).cancel());
    CompletableFuture<Void> fired = new CompletableFuture<>();
    loop.schedule(Duration.ofMillis(30), () -> fired.complete(null));
    for (int i = 0; i < 100; i++) {
      int n = i;
      loop.execute(() -> order.add("task" + n));
    }
    fired.get(5, TimeUnit.SECONDS);
    assertThat(order).hasSize(100).startsWith("task0", "task1").endsWith("task99");
    assertThat(loop.inLoop()).isFalse();
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
