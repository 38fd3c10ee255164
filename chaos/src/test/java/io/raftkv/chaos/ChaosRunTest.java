package io.raftkv.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One short chaos run against three real server processes under kill, pause and partition: the
 * verdict is green, every output file is there, and no server outlives the run. Whatever happens,
 * every member the run's state file names is killed by its PID afterwards.
 */
class ChaosRunTest {
  @TempDir Path root;

  @AfterEach
  void killEveryServerOfTheRun() throws InterruptedException {
    Optional<LocalCluster> cluster =
        LocalCluster.open(
            root.resolve("run"),
            JavaCommand.onThisClassPath(TestServerMain.class.getName()),
            line -> {});
    if (cluster.isPresent()) {
      for (ServerNode node : cluster.get().nodes()) {
        node.kill();
      }
      cluster.get().close();
    }
  }

  @Test
  void aShortRunUnderKillPauseAndPartitionIsLinearizableAndConverges() throws Exception {
    Path out = root.resolve("run");
    ChaosOptions options =
        new ChaosOptions(
            3,
            150,
            7,
            6,
            3,
            List.of("kill", "pause", "partition"),
            15,
            Duration.ofSeconds(3),
            out,
            ChaosOptions.DEFAULT_SERVER_FLAGS);
    StringWriter terminal = new StringWriter();

    ChaosRun.Result result =
        ChaosRun.run(
            options,
            JavaCommand.onThisClassPath(TestServerMain.class.getName()),
            new PrintWriter(terminal));

    assertThat(result.green()).as(terminal.toString()).isTrue();
    assertThat(result.exitCode()).isZero();
    assertThat(result.counts().total()).as("the final reads come on top").isEqualTo(150 + 3);
    assertThat(result.counts().ok()).isPositive();
    assertThat(terminal.toString())
        .containsPattern("cluster started: leader n\\d \\(term \\d+\\) elected")
        .contains("nemesis: ")
        .contains("members converged")
        .containsPattern("(?m)^PASS: history is LINEARIZABLE");
    assertThat(Files.readString(out.resolve("verdict.txt"), StandardCharsets.UTF_8))
        .startsWith("PASS: ");
    assertThat(Files.readAllLines(out.resolve("history.jsonl"))).hasSize(2 * (150 + 3));
    assertThat(Files.readString(out.resolve("nemesis.log")))
        .containsPattern("(?m)^\\d{4}-\\d\\d-\\d\\dT\\S+Z (kill|pause|partition)");
    assertThat(Files.readString(out.resolve("command.txt"))).contains("--seed 7");
    for (String name : List.of("n1", "n2", "n3")) {
      assertThat(out.resolve(name + ".log")).isNotEmptyFile();
    }
    LocalCluster after =
        LocalCluster.open(out, JavaCommand.onThisClassPath(""), line -> {}).orElseThrow();
    assertThat(after.nodes()).as("no server outlives the run").noneMatch(ServerNode::alive);
  }
}
