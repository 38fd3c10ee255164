package io.raftkv.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SchedulerTest {
  @Test
  void runsEventsByTimeThenByInsertionOrder() {
    Scheduler scheduler = new Scheduler(null);
    List<String> ran = new ArrayList<>();
    scheduler.at(20, "c", () -> ran.add("c"));
    scheduler.at(10, "a", () -> ran.add("a"));
    scheduler.at(10, "b", () -> ran.add("b"));
    scheduler.at(5, "first", () -> scheduler.after(0, "nested", () -> ran.add("nested")));
    while (scheduler.runNext()) {
      // run them all
    }
    assertThat(ran).containsExactly("nested", "a", "b", "c");
    assertThat(scheduler.nowNanos()).isEqualTo(20);
  }

  @Test
  void theTraceHashDependsOnWhatRanAndWhen() {
    assertThat(hashOf(10, "x")).isEqualTo(hashOf(10, "x"));
    assertThat(hashOf(10, "x")).isNotEqualTo(hashOf(11, "x"));
    assertThat(hashOf(10, "x")).isNotEqualTo(hashOf(10, "y"));
  }

  private static long hashOf(long time, String description) {
    Scheduler scheduler = new Scheduler(null);
    scheduler.at(time, description, () -> {});
    scheduler.runNext();
    return scheduler.traceHash();
  }

  @Test
  void aPausedNodesTasksWaitForThePauseToEnd_inOrder() {
    Scheduler scheduler = new Scheduler(null);
    NodeClock clock = new NodeClock(0, 0);
    SimLoop loop = new SimLoop(scheduler, clock, "n1");
    List<String> ran = new ArrayList<>();
    clock.pauseUntil(1_000);
    loop.schedule(Duration.ofNanos(100), () -> ran.add("timer@" + scheduler.nowNanos()));
    loop.execute(() -> ran.add("task@" + scheduler.nowNanos()));
    while (scheduler.runNext()) {
      // run them all
    }
    assertThat(ran).containsExactly("task@1000", "timer@1000");
  }

  @Test
  void aKilledLoopRunsNothingMore() {
    Scheduler scheduler = new Scheduler(null);
    SimLoop loop = new SimLoop(scheduler, new NodeClock(0, 0), "n1");
    List<String> ran = new ArrayList<>();
    loop.execute(() -> ran.add("lost"));
    loop.kill();
    while (scheduler.runNext()) {
      // run them all
    }
    assertThat(ran).isEmpty();
  }

  @Test
  void aDriftingClockRunsFastOrSlowWithinItsRate() {
    NodeClock fast = new NodeClock(5_000, 10_000);
    assertThat(fast.localNanos(1_000_000_000)).isEqualTo(5_000 + 1_010_000_000);
    // 1.01 s of its clock pass in 1 s of simulated time
    assertThat(fast.simDelayNanos(1_010_000_000)).isEqualTo(1_000_000_000);
    NodeClock slow = new NodeClock(0, -10_000);
    assertThat(slow.simDelayNanos(990_000_000)).isEqualTo(1_000_000_000);
  }
}
