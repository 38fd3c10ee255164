package io.raftkv.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code raftkv chaos}'s refusals, before any server starts (the run itself is chaos's
 * ChaosRunTest).
 */
class ChaosCommandTest {
  @TempDir Path root;

  @Test
  void anUnknownNemesisIsAUsageErrorNamingTheKnownOnes() {
    CliRun run = CliRun.of("chaos", "--nemesis", "kill,meteor", "--out", root.toString());
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("unknown nemesis meteor").contains("partition");
  }

  @Test
  void aNonEmptyOutputDirectoryIsRefusedBeforeAnythingStarts() throws IOException {
    Files.writeString(root.resolve("history.jsonl"), "{}\n");
    CliRun run = CliRun.of("chaos", "--nodes", "3", "--out", root.toString());
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("is not empty: a chaos run starts a fresh cluster");
    assertThat(root.resolve("cluster.properties")).doesNotExist();
  }
}
