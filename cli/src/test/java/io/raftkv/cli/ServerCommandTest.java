package io.raftkv.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad flags and combinations: one line, exit 2, nothing written. */
class ServerCommandTest {
  @TempDir Path root;

  /** A valid single-member command line, with {@code overrides} (flag, value, ...) applied. */
  private String[] flags(Path dataDir, String name, String cluster, String... overrides) {
    java.util.LinkedHashMap<String, String> flags = new java.util.LinkedHashMap<>();
    flags.put("--name", name);
    flags.put("--data-dir", dataDir.toString());
    flags.put("--listen-client-urls", "http://127.0.0.1:12379");
    flags.put("--advertise-client-urls", "http://127.0.0.1:12379");
    flags.put("--listen-peer-urls", "http://127.0.0.1:12380");
    flags.put("--initial-advertise-peer-urls", "http://127.0.0.1:12380");
    flags.put("--initial-cluster", cluster);
    for (int i = 0; i < overrides.length; i += 2) {
      flags.put(overrides[i], overrides[i + 1]);
    }
    java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("server"));
    flags.forEach((flag, value) -> args.addAll(java.util.List.of(flag, value)));
    return args.toArray(String[]::new);
  }

  private void assertRefused(CliRun run, String message, Path dataDir) {
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().strip()).startsWith("raftkv server: ").contains(message);
    assertThat(run.err().strip().lines()).hasSize(1);
    assertThat(dataDir).doesNotExist();
  }

  @Test
  void aNameNotInTheInitialClusterIsRefused() {
    Path dir = root.resolve("d");
    CliRun run = CliRun.of(flags(dir, "n9", "n1=http://127.0.0.1:12380"));
    assertRefused(run, "--name n9 is not in --initial-cluster (n1)", dir);
  }

  @Test
  void aPeerDialUrlForANonMemberIsRefused() {
    Path dir = root.resolve("d");
    CliRun run =
        CliRun.of(
            flags(
                dir,
                "n1",
                "n1=http://127.0.0.1:12380",
                "--peer-dial-urls",
                "n7=http://127.0.0.1:9999"));
    assertRefused(run, "--peer-dial-urls names n7, not a member", dir);
  }

  @Test
  void anAdvertisedUrlNobodyListensOnIsRefused() {
    Path dir = root.resolve("d");
    CliRun run =
        CliRun.of(
            flags(
                dir,
                "n1",
                "n1=http://127.0.0.1:12380",
                "--advertise-client-urls",
                "http://127.0.0.1:9999"));
    assertRefused(run, "--advertise-client-urls http://127.0.0.1:9999 is not listened on", dir);
  }

  @Test
  void electionTimeoutBelowFiveHeartbeatsIsRefusedAsEtcdDoes() {
    Path dir = root.resolve("d");
    CliRun run =
        CliRun.of(
            flags(
                dir,
                "n1",
                "n1=http://127.0.0.1:12380",
                "--heartbeat-interval",
                "100",
                "--election-timeout",
                "300"));
    assertRefused(
        run,
        "--election-timeout[300ms] should be at least as 5 times as --heartbeat-interval",
        dir);
  }

  @Test
  void aDataDirOfAnotherClusterIsRefusedAndLeftAlone() throws Exception {
    Path dir = root.resolve("d");
    String[] bootstrap = flags(dir, "n1", "n1=http://127.0.0.1:12380");
    Holder holder = new Holder();
    new picocli.CommandLine(holder)
        .parseArgs(java.util.Arrays.copyOfRange(bootstrap, 1, bootstrap.length));
    io.raftkv.server.DataDir.create(holder.options.toConfig());
    Path identity = dir.resolve("member/identity");
    String before = Files.readString(identity);

    CliRun run =
        CliRun.of(flags(dir, "n1", "n1=http://127.0.0.1:12380", "--initial-cluster-token", "b"));

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("data dir " + dir + " belongs to cluster");
    assertThat(Files.readString(identity)).isEqualTo(before);
  }

  @Test
  void environmentVariablesStandInForFlags() throws Exception {
    Path dir = root.resolve("env");
    ProcessBuilder builder =
        new ProcessBuilder(
                ClusterCommand.serverCommand()
                    .commandLine(
                        List.of(
                            "--listen-peer-urls",
                            "http://127.0.0.1:12380",
                            "--initial-advertise-peer-urls",
                            "http://127.0.0.1:12380")))
            .redirectErrorStream(true);
    builder.environment().put("RAFTKV_NAME", "from-env");
    builder.environment().put("RAFTKV_DATA_DIR", dir.toString());
    builder.environment().put("RAFTKV_INITIAL_CLUSTER", "n1=http://127.0.0.1:12380");
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(process.waitFor()).isEqualTo(2);
    assertThat(output).contains("--name from-env is not in --initial-cluster (n1)");
    assertThat(dir).doesNotExist();
  }

  @Test
  void helpListsEveryEtcdFlag() {
    CliRun run = CliRun.of("server", "--help");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out())
        .contains(
            "--name",
            "--data-dir",
            "--listen-client-urls",
            "--advertise-client-urls",
            "--listen-peer-urls",
            "--initial-advertise-peer-urls",
            "--initial-cluster=",
            "--initial-cluster-state",
            "--initial-cluster-token",
            "--heartbeat-interval",
            "--election-timeout",
            "--snapshot-count",
            "--quota-backend-bytes",
            "--max-request-bytes",
            "--max-txn-ops",
            "--auto-compaction-mode",
            "--auto-compaction-retention",
            "RAFTKV_INITIAL_CLUSTER");
  }

  /** The server's flags alone, to bootstrap a data dir as a first start would. */
  @picocli.CommandLine.Command(name = "holder")
  static final class Holder {
    @picocli.CommandLine.Mixin io.raftkv.server.ServerOptions options;
  }
}
