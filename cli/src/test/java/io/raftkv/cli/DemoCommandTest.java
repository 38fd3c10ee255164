package io.raftkv.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DemoCommandTest {
  private static CliRun run(String... args) {
    return CliRun.of(args);
  }

  @Test
  void demoElectsFailsOverHealsAndLosesNothing() {
    CliRun run = run("raft-demo", "--seed", "7");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out())
        .contains("elected leader (term 1)")
        .contains("partitioned leader")
        .contains("elected leader by the majority (term 2)")
        .contains("healed the partition")
        .contains("verdict: OK: 40 acknowledged commands are on all 5 nodes");
  }

  @Test
  void demoEndsWithAShortSimulationUnderFaults() {
    CliRun run = run("raft-demo", "--seed", "7", "--sim-seeds", "2");
    assertThat(run.exitCode()).as(run.out()).isZero();
    assertThat(run.out())
        .contains("simulation: 2 seed(s)")
        .contains("seed=7 ops=")
        .contains("seed=8 ops=")
        .contains("verdict: OK: 2 simulated seed(s)");
  }

  @Test
  void sameSeedReplaysTheSameRun() {
    assertThat(run("raft-demo", "--seed", "42", "--sim-seeds", "1").out())
        .isEqualTo(run("raft-demo", "--seed", "42", "--sim-seeds", "1").out());
    assertThat(run("raft-demo", "--seed", "42", "--sim-seeds", "0").out())
        .isNotEqualTo(run("raft-demo", "--seed", "43", "--sim-seeds", "0").out());
  }

  @Test
  void everyClusterSizeAndManySeedsPass() {
    for (int nodes = 3; nodes <= 7; nodes++) {
      for (int seed = 1; seed <= 10; seed++) {
        CliRun run =
            run(
                "raft-demo",
                "--seed",
                String.valueOf(seed),
                "--nodes",
                String.valueOf(nodes),
                "--sim-seeds",
                "0");
        assertThat(run.exitCode()).as("nodes=%d seed=%d:%n%s", nodes, seed, run.out()).isZero();
      }
    }
  }

  @Test
  void verboseShowsRoleChanges() {
    assertThat(run("raft-demo", "--seed", "7", "--verbose", "--sim-seeds", "0").out())
        .contains("became leader");
  }

  @Test
  void badFlagIsUsageErrorWithExitCode2() {
    CliRun run = run("raft-demo", "--bogus");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("Unknown option: '--bogus'").contains("Usage: raftkv raft-demo");
  }

  @Test
  void outOfRangeClusterSizeIsUsageError() {
    CliRun run = run("raft-demo", "--nodes", "9");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--nodes must be between 3 and 7, got 9");
  }

  @Test
  void missingSubcommandIsUsageError() {
    assertThat(run().exitCode()).isEqualTo(2);
  }
}
