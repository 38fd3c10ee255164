package io.raftkv.checker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Chaos-run-sized kv histories: 10 keys, 20 processes, about 2 % of writes never completing;
 * linearizable ones and ones with a single corrupted read. The surefire heap is capped at 2 GB
 * (checker/pom.xml), so passing also shows the memory bound. Times are printed; the figures in
 * docs/checker.md come from this test.
 *
 * <p>The million-operation histories of issue 17 run only in the {@code scale} profile ({@code
 * bin/test -pl checker -Pscale}), which also writes them to {@code checker/target/scale/} for
 * timing {@code raftkv check} as a whole process.
 */
class ScaleTest {
  @ParameterizedTest(name = "{0} operations, {1}, seed {2}")
  @CsvSource({
    "10000, NONE, 1",
    "10000, UNWRITTEN, 1",
    "10000, STALE, 1",
    "100000, NONE, 7",
    "100000, UNWRITTEN, 7",
    "100000, STALE, 7"
  })
  void generatedKvHistoryIsDecidedCorrectly(
      int operations, KvWorkload.Corruption corruption, long seed) throws Exception {
    decide(operations, corruption, seed, false);
  }

  @Tag("scale")
  @ParameterizedTest(name = "{0} operations, {1}, seed {2}")
  @CsvSource({"1000000, NONE, 17", "1000000, STALE, 17"})
  void millionOperationHistoryIsDecidedCorrectly(
      int operations, KvWorkload.Corruption corruption, long seed) throws Exception {
    decide(operations, corruption, seed, true);
  }

  private static void decide(
      int operations, KvWorkload.Corruption corruption, long seed, boolean write) throws Exception {
    KvWorkload.Workload workload =
        KvWorkload.generate(seed, KvWorkload.Shape.chaos(operations), corruption);
    List<String> lines = workload.lines();
    String name = "kv-" + operations + "-" + corruption.name().toLowerCase() + "-seed-" + seed;
    if (write) {
      Path directory = Files.createDirectories(Path.of("target/scale"));
      Files.write(directory.resolve(name + ".edn"), lines);
    }
    History history = History.parse(name, lines, null);
    assertThat(history.operations()).hasSize(operations);
    long open = history.operations().stream().filter(o -> o.outcome() == Outcome.UNKNOWN).count();
    Verdict verdict =
        LinearizabilityChecker.check(
            history,
            Models.byName("kv"),
            new Budget(Duration.ofSeconds(60), 1_000_000),
            Runtime.getRuntime().availableProcessors(),
            LinearizabilityChecker.Progress.NONE);
    System.out.printf(
        "scale: %d ops (%d without completion), %s, seed=%d: %s in %d ms%n",
        operations, open, corruption, seed, verdict.line(), verdict.elapsed().toMillis());
    assertThat(verdict.result())
        .as("seed %d: %s", seed, verdict.line())
        .isEqualTo(
            corruption == KvWorkload.Corruption.NONE
                ? Verdict.Result.LINEARIZABLE
                : Verdict.Result.NOT_LINEARIZABLE);
    if (corruption != KvWorkload.Corruption.NONE) {
      Operation corrupted =
          history.operations().stream()
              .filter(o -> o.completeLine() == workload.corruptedLine() + 1)
              .findFirst()
              .orElseThrow();
      assertThat(verdict.key()).as(verdict.line()).isEqualTo(corrupted.key());
    }
  }
}
