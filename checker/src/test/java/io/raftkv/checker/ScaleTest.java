package io.raftkv.checker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Chaos-run-sized kv histories: 10 keys, 20 processes, about 2 % of writes never completing;
 * linearizable ones and ones with a single corrupted read. The surefire heap is capped at 2 GB
 * (checker/pom.xml), so passing also shows the memory bound. Times are printed; the figures in
 * docs/checker.md come from this test.
 */
class ScaleTest {
  @ParameterizedTest(name = "{0} operations, corrupted read: {1}, seed {2}")
  @CsvSource({"10000, false, 1", "10000, true, 1", "100000, false, 7", "100000, true, 7"})
  void generatedKvHistoryIsDecidedCorrectly(int operations, boolean corrupt, long seed)
      throws Exception {
    List<String> lines = KvWorkload.generate(new Random(seed), operations, 10, 20, 0.02, corrupt);
    History history = History.parse("kv-" + operations + "-seed-" + seed, lines, null);
    assertThat(history.operations()).hasSize(operations);
    long open = history.operations().stream().filter(o -> o.outcome() == Outcome.UNKNOWN).count();
    Verdict verdict =
        LinearizabilityChecker.check(
            history, Models.byName("kv"), new Budget(Duration.ofSeconds(60), 1_000_000));
    System.out.printf(
        "scale: %d ops (%d without completion), corrupt=%s, seed=%d: %s in %d ms%n",
        operations, open, corrupt, seed, verdict.result(), verdict.elapsed().toMillis());
    assertThat(verdict.result())
        .as("seed %d: %s", seed, verdict.line())
        .isEqualTo(corrupt ? Verdict.Result.NOT_LINEARIZABLE : Verdict.Result.LINEARIZABLE);
    if (corrupt) {
      assertThat(verdict.operation().output().toString()).endsWith("x corrupt y");
    }
  }
}
