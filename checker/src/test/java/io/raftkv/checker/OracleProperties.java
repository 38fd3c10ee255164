package io.raftkv.checker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;

/**
 * The search against the brute-force oracle, both ways, on small random histories; and histories
 * linearizable by construction. Seeds are fixed so runs repeat; a failure prints the generator seed
 * and the history.
 */
class OracleProperties {
  @Property(tries = 1500, seed = "4242")
  void registerAgreesWithBruteForce(
      @ForAll long seed, @ForAll @IntRange(min = 0, max = 2) int keys) {
    agree(seed, new RandomHistories.Shape("register", 7, 3, keys, 3, 0.3, 0.3));
  }

  @Property(tries = 1500, seed = "4343")
  void kvAgreesWithBruteForce(@ForAll long seed, @ForAll @IntRange(min = 0, max = 2) int keys) {
    agree(seed, new RandomHistories.Shape("kv", 7, 3, keys, 2, 0.3, 0.3));
  }

  @Property(tries = 1000, seed = "4646")
  void kvDelimitedValuesAgreeWithBruteForce(
      @ForAll long seed, @ForAll @IntRange(min = 2, max = 50) int values) {
    agree(seed, new RandomHistories.Shape("kv", 7, 3, 1, values, 0.5, 0.3, true));
  }

  @Property(tries = 400, seed = "4444")
  void manyIndeterminateWritesAgreeWithBruteForce(@ForAll long seed) {
    agree(seed, new RandomHistories.Shape("register", 8, 4, 0, 2, 0.8, 0.2));
  }

  @Property(tries = 300, seed = "4545")
  void linearizableByConstructionPasses(
      @ForAll long seed, @ForAll @IntRange(min = 0, max = 1) int kv) {
    String model = kv == 1 ? "kv" : "register";
    List<String> lines =
        RandomHistories.generate(
            new Random(seed), new RandomHistories.Shape(model, 200, 8, 3, 4, 0.05, 0.0));
    Verdict verdict = check(seed, model, lines);
    assertThat(verdict.result())
        .as("seed %d, history:%n%s", seed, String.join("\n", lines))
        .isEqualTo(Verdict.Result.LINEARIZABLE);
  }

  private static void agree(long seed, RandomHistories.Shape shape) {
    List<String> lines = RandomHistories.generate(new Random(seed), shape);
    Verdict verdict = check(seed, shape.model(), lines);
    History history = parse(seed, lines);
    boolean oracle = BruteForce.linearizable(Models.byName(shape.model()), history);
    Statistics.collect(oracle ? "linearizable" : "not linearizable");
    assertThat(verdict.result())
        .as("seed %d, %s, history:%n%s", seed, shape, String.join("\n", lines))
        .isEqualTo(oracle ? Verdict.Result.LINEARIZABLE : Verdict.Result.NOT_LINEARIZABLE);
  }

  private static Verdict check(long seed, String model, List<String> lines) {
    try {
      return LinearizabilityChecker.check(parse(seed, lines), Models.byName(model));
    } catch (MalformedHistoryException e) {
      throw new AssertionError("generator wrote a bad history, seed " + seed, e);
    }
  }

  private static History parse(long seed, List<String> lines) {
    try {
      return History.parse("seed-" + seed, lines, HistoryFormat.JSONL);
    } catch (MalformedHistoryException e) {
      throw new AssertionError("generator wrote a bad history, seed " + seed, e);
    }
  }
}
