package io.raftkv.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.raftkv.chaos.ClusterHealth;
import io.raftkv.chaos.LocalCluster;
import io.raftkv.chaos.ServerNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code raftkv bench} against three real server processes: every kind of request. */
class BenchCommandTest {
  @TempDir static Path root;
  private static LocalCluster cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster =
        LocalCluster.openOrCreate(
            root,
            3,
            ClusterCommand.serverCommand(),
            List.of("--heartbeat-interval", "50", "--election-timeout", "500"),
            line -> {});
    cluster.startAll();
    ClusterHealth.awaitLeader(cluster.nodes(), Duration.ofSeconds(60));
  }

  @AfterAll
  static void stopCluster() throws InterruptedException {
    if (cluster != null) {
      for (ServerNode node : cluster.nodes()) {
        node.kill();
      }
      cluster.close();
    }
  }

  private static JsonNode bench(String operation, String... more) throws Exception {
    String pids =
        cluster.nodes().stream()
            .map(node -> Long.toString(node.pid()))
            .collect(Collectors.joining(","));
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "bench",
                "--endpoints",
                cluster.endpoints(),
                "--op",
                operation,
                "--clients",
                "4",
                "--keys",
                "20",
                "--seconds",
                "1",
                "--warmup",
                "0",
                "--json",
                "--server-pids",
                pids));
    args.addAll(List.of(more));
    CliRun run = CliRun.of(args.toArray(String[]::new));
    assertThat(run.exitCode()).as(run.err()).isZero();
    return new ObjectMapper().readTree(run.out());
  }

  @Test
  void everyKindOfRequestSucceedsAndIsCounted() throws Exception {
    for (String operation : List.of("put", "get", "get-serializable", "txn", "mixed")) {
      JsonNode result = bench(operation);
      assertThat(result.get("operation").asText()).isEqualTo(operation);
      assertThat(result.get("operations").asLong()).as(operation).isPositive();
      assertThat(result.get("errors").size()).as(operation + ": " + result).isZero();
      assertThat(result.get("latency_ms").get("p99").asDouble())
          .isGreaterThanOrEqualTo(result.get("latency_ms").get("p50").asDouble());
      assertThat(result.get("rss_mib_max").asLong()).isPositive();
    }
  }

  @Test
  void aRateBoundsTheThroughput() throws Exception {
    JsonNode result = bench("put", "--rate", "50");
    // 50 per second for 1 s: at most about 50, whatever the store could do.
    assertThat(result.get("operations").asLong()).isPositive().isLessThanOrEqualTo(55);
  }

  @Test
  void anUnknownOperationIsAUsageError() {
    CliRun run = CliRun.of("bench", "--op", "scan");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("unknown --op 'scan'");
  }

  @Test
  void aClusterThatAnswersNothingIsAnError() {
    CliRun run =
        CliRun.of(
            "bench",
            "--endpoints",
            "127.0.0.1:1",
            "--command-timeout",
            "500ms",
            "--seconds",
            "1",
            "--warmup",
            "0");
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("Error: no request succeeded");
  }
}
