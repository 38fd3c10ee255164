package io.raftkv.chaos;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Jepsen's nemesis cycle while the workload runs: a quiet spell, a fault drawn from the seed (a
 * category of {@link Nemesis#CATEGORIES}, then one of its faults), held for a while, healed, and
 * again, until {@link #finish}. The spells are drawn from the seed too, so the same seed strikes
 * the same kinds of fault in the same order (who leads when one strikes is up to the real cluster).
 */
final class NemesisSchedule {
  private static final Duration LEADER_TIMEOUT = Duration.ofSeconds(10);

  private final Nemesis nemesis;
  private final List<List<Nemesis.Fault>> categories;
  private final Duration faultEvery;
  private final Random random;
  private final Consumer<String> problems;
  private final CountDownLatch finished = new CountDownLatch(1);
  private int struck;

  /**
   * @param problems hears why a fault could not strike (no leader to aim at, say): not a failure of
   *     the run, since the workload and checker judge the cluster, not the schedule
   */
  NemesisSchedule(
      Nemesis nemesis,
      List<String> categories,
      Duration faultEvery,
      long seed,
      Consumer<String> problems) {
    this.nemesis = nemesis;
    this.categories = categories.stream().map(name -> Nemesis.faultsOf(List.of(name))).toList();
    this.faultEvery = faultEvery;
    this.random = new Random(seed ^ 0x5DEECE66DL);
    this.problems = problems;
  }

  /** Runs the cycle until {@link #finish}, then heals whatever is still broken. */
  void run() throws Exception {
    if (categories.isEmpty()) {
      finished.await();
      return;
    }
    // Each cycle: quiet for 40% of faultEvery, faulty for 60%, each drawn within +-50%.
    while (!waitOrFinish(spell(0.4))) {
      try {
        // A category first, then a fault in it: kill, pause, partition and delay equally often,
        // however many shapes each has.
        List<Nemesis.Fault> category = categories.get(random.nextInt(categories.size()));
        nemesis.apply(category.get(random.nextInt(category.size())), LEADER_TIMEOUT);
        struck++;
      } catch (ClusterException | IllegalStateException e) {
        problems.accept("nemesis: no fault this time: " + firstLine(e.getMessage()));
      }
      boolean done = waitOrFinish(spell(0.6));
      nemesis.healAll();
      if (done) {
        return;
      }
    }
  }

  /** Ends the cycle at its next step; the run's final heal follows. */
  void finish() {
    finished.countDown();
  }

  /** Faults struck. */
  int struck() {
    return struck;
  }

  private Duration spell(double share) {
    long mean = (long) (faultEvery.toMillis() * share);
    return Duration.ofMillis(mean / 2 + (long) (random.nextDouble() * mean));
  }

  /** Waits out {@code spell} unless the run finishes first; true when it did. */
  private boolean waitOrFinish(Duration spell) throws InterruptedException {
    return finished.await(spell.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static String firstLine(String text) {
    if (text == null) {
      return "(no reason given)";
    }
    int end = text.indexOf('\n');
    return end < 0 ? text : text.substring(0, end);
  }
}
