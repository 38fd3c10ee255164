package io.raftkv.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code raftkv sim}: its summary line, its replay command, and its usage errors. */
class SimCommandTest {
  @TempDir Path reports;

  @Test
  void cleanSeedsPrintOneKeyValueSummaryLine() {
    CliRun run =
        CliRun.of("sim", "--seeds", "1..2", "--ops", "100", "--report", reports.toString());
    assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
    String[] lines = run.out().strip().split("\n", -1);
    assertThat(lines[lines.length - 1])
        .startsWith("seeds=2 violations=0 ops=")
        .contains(" watch_events=")
        .contains(" seeds_per_second=")
        .contains(" faults_share=");
  }

  @Test
  void aCaughtBugPrintsItsSeedAndAReplayThatRepeatsEveryOption() {
    CliRun run =
        CliRun.of(
            "sim",
            "--bug",
            "read-without-confirmation",
            "--seeds",
            "1..20",
            "--ops",
            "300",
            "--lease-reads",
            "off",
            "--always",
            "partitions",
            "--clock-drift-ppm",
            "80000",
            "--until-violation",
            "--report",
            reports.toString());
    assertThat(run.exitCode()).as(run.out()).isEqualTo(1);
    assertThat(run.out())
        .contains("violation seed=")
        .contains("--bug read-without-confirmation")
        .contains("--always partitions")
        .contains("--clock-drift-ppm 80000")
        .contains("--lease-reads off")
        .contains("--trace");
  }

  @Test
  void theOutputIsTheSameWhateverTheNumberOfThreads() {
    String[] common = {"sim", "--seeds", "1..4", "--ops", "100", "--report", reports.toString()};
    String one = withoutTimings(CliRun.of(concat(common, "--jobs", "1")).out());
    String three = withoutTimings(CliRun.of(concat(common, "--jobs", "3")).out());
    assertThat(three).isEqualTo(one).contains("seeds=4 violations=0");
  }

  @Test
  void hashesPrintOneLinePerSeedMatchingTheReplayOfThatSeed() {
    CliRun range =
        CliRun.of(
            "sim", "--seeds", "3..4", "--ops", "100", "--hashes", "--report", reports.toString());
    CliRun replay = CliRun.of("sim", "--seed", "4", "--ops", "100", "--report", reports.toString());
    String hashLine =
        range
            .out()
            .lines()
            .filter(l -> l.startsWith("seed=4 "))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no seed=4 line in " + range.out()));
    assertThat(range.out().lines().filter(l -> l.startsWith("seed=")).count()).isEqualTo(2);
    assertThat(replay.out()).contains(hashLine.substring("seed=4 ".length()));
  }

  private static String withoutTimings(String out) {
    return out.replaceAll("wall_seconds=\\S+ seeds_per_second=\\S+", "");
  }

  private static String[] concat(String[] head, String... tail) {
    String[] all = java.util.Arrays.copyOf(head, head.length + tail.length);
    System.arraycopy(tail, 0, all, head.length, tail.length);
    return all;
  }

  @Test
  void optionsTheSimulatorRefusesAreUsageErrorsNamingTheOption() {
    CliRun unknownFault = CliRun.of("sim", "--always", "meteorites");
    assertThat(unknownFault.exitCode()).isEqualTo(2);
    assertThat(unknownFault.err()).contains("--always").contains("unknown fault meteorites");
    CliRun drift = CliRun.of("sim", "--clock-drift-ppm", "500000");
    assertThat(drift.exitCode()).isEqualTo(2);
    assertThat(drift.err()).contains("--clock-drift-ppm");
    for (String[] bad : new String[][] {{"--jobs", "0"}, {"--watchers", "-1"}}) {
      CliRun refused = CliRun.of("sim", bad[0], bad[1]);
      assertThat(refused.exitCode()).as("%s %s", bad[0], bad[1]).isEqualTo(2);
      assertThat(refused.err()).contains(bad[0].substring(2));
    }
  }

  @Test
  void bugListNamesEverySwitchFirstOnItsLine() {
    CliRun run = CliRun.of("sim", "--bug", "list");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out())
        .contains("lease-without-drift-bound  ")
        .contains("vote-before-persist  ")
        .contains("watch-skips-restored-revisions  ");
  }
}
