package io.raftkv.checker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;

/**
 * Retiring indeterminate operations (docs/checker.md) against the search without it, on random
 * histories too long for the brute-force oracle, with many operations left open: the same verdict
 * every time, per key. Values are unique, duplicated, delimited or not, so that both the observer
 * index and its pairwise fallback are exercised, and so are the cases where it must not retire.
 */
class RetirementProperties {
  @Property(tries = 1000, seed = "1717")
  void kvDelimitedValuesKeepTheirVerdict(
      @ForAll long seed, @ForAll @IntRange(min = 2, max = 400) int values) {
    same(seed, new RandomHistories.Shape("kv", 60, 6, 2, values, 0.35, 0.05, true));
  }

  @Property(tries = 1000, seed = "1818")
  void kvLetterValuesKeepTheirVerdict(
      @ForAll long seed, @ForAll @IntRange(min = 1, max = 6) int values) {
    same(seed, new RandomHistories.Shape("kv", 60, 6, 2, values, 0.35, 0.05));
  }

  @Property(tries = 1000, seed = "1919")
  void registerKeepsItsVerdict(@ForAll long seed, @ForAll @IntRange(min = 2, max = 8) int values) {
    same(seed, new RandomHistories.Shape("register", 50, 6, 2, values, 0.35, 0.05));
  }

  private static void same(long seed, RandomHistories.Shape shape) {
    List<String> lines = RandomHistories.generate(new Random(seed), shape);
    History history;
    try {
      history = History.parse("seed-" + seed, lines, HistoryFormat.JSONL);
    } catch (MalformedHistoryException e) {
      throw new AssertionError("generator wrote a bad history, seed " + seed, e);
    }
    Model model = Models.byName(shape.model());
    long deadline = System.nanoTime() + 60_000_000_000L;
    for (Map.Entry<Object, List<Operation>> partition :
        LinearizabilityChecker.partitions(history, model).entrySet()) {
      Search.Result with = new Search(model, partition.getValue(), 1_000_000, deadline).run();
      Search.Result without =
          new Search(model, partition.getValue(), 1_000_000, deadline, false, new AtomicBoolean())
              .run();
      Statistics.collect(with.result());
      assertThat(with.result())
          .as("seed %d, %s, key %s, history:%n%s", seed, shape, partition.getKey(), lines)
          .isEqualTo(without.result())
          .isNotEqualTo(Verdict.Result.UNKNOWN);
      if (with.operation() != null) {
        assertThat(with.operation()).isEqualTo(without.operation());
      }
    }
  }
}
