package io.raftkv.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The etcdctl-like commands against three real {@code raftkv server} processes, in simple and JSON
 * output, and their errors: exit 1 with one line from the cluster, exit 2 for bad usage.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KvCommandsTest {
  private ProcessCluster cluster;
  private String endpoints;

  @BeforeAll
  void start(@TempDir Path root) throws Exception {
    cluster = new ProcessCluster(root, 3);
    cluster.awaitLeader(ProcessCluster.STARTUP);
    endpoints = String.join(",", cluster.endpoints());
  }

  @AfterAll
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private CliRun run(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--endpoints=" + endpoints);
    all.add("--command-timeout=20s");
    return CliRun.of(all.toArray(String[]::new));
  }

  @Test
  void putGetDelInSimpleAndJson() {
    assertThat(run("put", "cli/a", "1")).extracting(CliRun::out).isEqualTo("OK\n");
    assertThat(run("put", "cli/b", "2", "-w", "json").out())
        .startsWith("{\"header\":{\"cluster_id\":");
    assertThat(run("get", "cli/a").out()).isEqualTo("cli/a\n1\n");
    assertThat(run("get", "cli/", "--prefix").out()).isEqualTo("cli/a\n1\ncli/b\n2\n");
    assertThat(run("get", "cli/", "--prefix", "--print-value-only", "--limit", "1").out())
        .isEqualTo("1\n");
    assertThat(run("get", "cli/a", "--consistency", "s").out()).isEqualTo("cli/a\n1\n");
    assertThat(run("get", "cli/a", "-w", "json").out())
        .contains("\"kvs\":[{\"key\":\"Y2xpL2E=\"")
        .contains("\"value\":\"MQ==\"");
    assertThat(run("put", "cli/a", "one", "--prev-kv").out()).isEqualTo("OK\ncli/a\n1\n");
    CliRun deleted = run("del", "cli/", "--prefix");
    assertThat(deleted.exitCode()).isZero();
    assertThat(deleted.out()).isEqualTo("2\n");
    assertThat(run("get", "cli/", "--prefix").out()).isEmpty();
  }

  @Test
  void txnReadsCompareSuccessAndFailureFromStdin() {
    run("put", "t/k", "v1");
    String txn = "value(\"t/k\") = \"v1\"\n\nput t/k \"v 2\"\nget t/k\n\nput t/k never\n";
    assertThat(withStdin(txn, () -> run("txn")).out()).isEqualTo("SUCCESS\n\nOK\n\nt/k\nv 2\n");
    assertThat(withStdin(txn, () -> run("txn", "-i")).out()).isEqualTo("FAILURE\n\nOK\n");
    assertThat(run("get", "t/k", "--print-value-only").out()).isEqualTo("never\n");
    CliRun malformed = withStdin("nonsense\n", () -> run("txn"));
    assertThat(malformed.exitCode()).isEqualTo(2);
    assertThat(malformed.err()).isEqualTo("Error: malformed comparison: nonsense\n");
  }

  /** The command reads System.in as etcdctl reads stdin; tests here run one at a time. */
  private static CliRun withStdin(String input, java.util.function.Supplier<CliRun> command) {
    return withStdin(input.getBytes(java.nio.charset.StandardCharsets.UTF_8), command);
  }

  private static CliRun withStdin(byte[] input, java.util.function.Supplier<CliRun> command) {
    java.io.InputStream saved = System.in;
    System.setIn(new ByteArrayInputStream(input));
    try {
      return command.get();
    } finally {
      System.setIn(saved);
    }
  }

  @Test
  void compactThenAnOldRevisionIsAnError() {
    String json = run("put", "old", "x", "-w", "json").out();
    long revision = revision(json);
    run("put", "old", "y");
    assertThat(run("compact", Long.toString(revision + 1)).out())
        .isEqualTo("compacted revision " + (revision + 1) + "\n");
    CliRun old = run("get", "old", "--rev", Long.toString(revision));
    assertThat(old.exitCode()).isEqualTo(1);
    assertThat(old.err())
        .isEqualTo("Error: etcdserver: mvcc: required revision has been compacted\n");
  }

  @Test
  void leasesGrantTimeToLiveRevoke() {
    CliRun granted = run("lease", "grant", "60");
    Matcher m =
        Pattern.compile("lease ([0-9a-f]+) granted with TTL\\(60s\\)\n").matcher(granted.out());
    assertThat(m.matches()).as(granted.out() + granted.err()).isTrue();
    String id = m.group(1);
    run("put", "leased", "v", "--lease", id);
    assertThat(run("lease", "timetolive", id, "--keys").out())
        .matches(
            "lease "
                + id
                + " granted with TTL\\(60s\\), remaining\\(\\d+s\\), attached keys\\(leased\\)\n");
    assertThat(run("lease", "list").out()).startsWith("found ").contains("\n" + id + "\n");
    assertThat(run("lease", "list", "-w", "json").out())
        .startsWith("{\"cluster_id\":")
        .contains("{\"id\":" + Long.parseLong(id, 16) + "}");
    assertThat(run("lease", "revoke", id).out()).isEqualTo("lease " + id + " revoked\n");
    assertThat(run("lease", "list").out()).doesNotContain(id);
    assertThat(run("get", "leased").out()).isEmpty();
    CliRun again = run("lease", "revoke", id);
    assertThat(again.exitCode()).isEqualTo(1);
    assertThat(again.err()).isEqualTo("Error: etcdserver: requested lease not found\n");
    assertThat(run("lease", "timetolive", id).out())
        .isEqualTo("lease " + id + " already expired\n");
  }

  @Test
  void membersEndpointsAndStatus() {
    assertThat(run("member", "list").out().lines())
        .hasSize(3)
        .allMatch(l -> l.contains(", started, n"));
    assertThat(run("member", "list", "-w", "json").out()).contains("\"members\":[");
    assertThat(run("endpoint", "health").out().lines())
        .hasSize(3)
        .allMatch(l -> l.contains("is healthy"));
    assertThat(run("endpoint", "status").out().lines())
        .hasSize(3)
        .filteredOn(l -> l.contains(", true, false, "))
        .as("one leader")
        .hasSize(1);
    assertThat(run("endpoint", "status", "-w", "json").out()).startsWith("[{\"Endpoint\":");
    List<String> hashes =
        run("endpoint", "hashkv").out().lines().map(l -> l.substring(l.indexOf(", ") + 2)).toList();
    assertThat(hashes).hasSize(3);
    CliRun status = run("status");
    assertThat(status.exitCode()).as(status.err()).isZero();
    assertThat(status.out().lines()).hasSize(4).first().asString().startsWith("NAME");
    assertThat(status.out().lines().filter(l -> l.contains(" leader "))).hasSize(1);
    assertThat(run("status", "-w", "json").out()).startsWith("[{\"name\":\"n");
  }

  /** etcdctl's table shape: ruled, headings centred, cells right-aligned. */
  @Test
  void tablesInEtcdctlsShape() {
    run("put", "tab/k", "v");
    List<String> get = run("get", "tab/k", "-w", "table").out().lines().toList();
    assertThat(get).hasSize(5);
    assertThat(get.get(0)).isEqualTo(get.get(2)).isEqualTo(get.get(4)).matches("\\+[-+]+");
    assertThat(get.get(1))
        .isEqualTo("|  KEY  | VALUE | CREATE REVISION | MOD REVISION | VERSION | LEASE |");
    assertThat(get.get(3))
        .matches("\\| tab/k \\|     v \\| +\\d+ \\| +\\d+ \\|       1 \\|       \\|");
    assertThat(run("member", "list", "-w", "table").out().lines())
        .hasSize(7)
        .element(1)
        .isEqualTo(
            "|        ID        | STATUS  | NAME |       PEER ADDRS       |"
                + "      CLIENT ADDRS      | IS LEARNER |");
    assertThat(run("endpoint", "status", "-w", "table").out())
        .contains("| RAFT APPLIED INDEX | ERRORS |")
        .contains("|      true |      false |");
    CliRun status = run("status", "-w", "table");
    assertThat(status.out().lines()).hasSize(7);
    assertThat(status.out()).contains("|   leader |").contains("| follower |");
    CliRun put = run("put", "tab/k", "v", "-w", "table");
    assertThat(put.exitCode()).isEqualTo(2);
    assertThat(put.err()).isEqualTo("Error: table not supported as output format\n");
  }

  @Test
  void leaderTransferMovesLeadershipToTheMemberNamed() throws Exception {
    String leaderLine =
        run("status").out().lines().filter(l -> l.contains(" leader ")).findFirst().orElseThrow();
    String to = leaderLine.startsWith("n1 ") ? "n2" : "n1";
    CliRun moved = run("leader", "transfer", "--to", to);
    assertThat(moved.exitCode()).as(moved.err()).isZero();
    assertThat(moved.out()).matches("Leadership transferred from [0-9a-f]+ to [0-9a-f]+\n");
    assertThat(run("status").out().lines().filter(l -> l.contains(" leader ")))
        .singleElement()
        .asString()
        .startsWith(to + " ");
    assertThat(run("leader", "transfer", "--to", to).out()).contains(" is the leader already");
    CliRun unknown = run("leader", "transfer", "--to", "n9");
    assertThat(unknown.exitCode()).isEqualTo(2);
    assertThat(unknown.err()).startsWith("Error: no member 'n9' in the cluster (members: n");
    assertThat(run("leader", "transfer").exitCode()).isEqualTo(2);
  }

  @Test
  void snapshotSaveWritesAVerifiedFileWithProgress(@TempDir Path dir) throws Exception {
    run("put", "snap/k", "v");
    Path file = dir.resolve("backup.db");
    CliRun saved = run("snapshot", "save", file.toString());
    assertThat(saved.exitCode()).as(saved.err()).isZero();
    assertThat(saved.out()).isEqualTo("Snapshot saved at " + file + "\n");
    assertThat(saved.err())
        .contains("(100%)")
        .containsPattern("checksum ok, restores to revision \\d+ with \\d+ keys");
    assertThat(Files.size(file) % 512).isEqualTo(32);
    assertThat(dir.resolve("backup.db.part")).doesNotExist();
    CliRun nowhere = run("snapshot", "save", dir.resolve("no/such/dir/x.db").toString());
    assertThat(nowhere.exitCode()).isEqualTo(2);
    assertThat(nowhere.err())
        .isEqualTo(
            "Error: no directory "
                + dir.resolve("no/such/dir")
                + " to save "
                + dir.resolve("no/such/dir/x.db")
                + " in\n");
  }

  @Test
  void watchPrintsEventsAsTheyCome() throws Exception {
    StringWriter out = new StringWriter();
    CommandLine commandLine = new CommandLine(new RaftkvCommand());
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(new StringWriter(), true));
    Thread watching =
        Thread.ofPlatform()
            .start(
                () ->
                    commandLine.execute("watch", "wcli/", "--prefix", "--endpoints=" + endpoints));
    try {
      cluster.await(
          java.time.Duration.ofSeconds(30),
          "the watch to see a put",
          () -> {
            run("put", "wcli/k", "v");
            return out.toString().contains("PUT\nwcli/k\nv\n")
                ? Optional.of(true)
                : Optional.empty();
          });
    } finally {
      watching.interrupt();
      watching.join(10_000);
    }
  }

  @Test
  void errorsAreOneLineWithTheirExitCode() throws Exception {
    CliRun unknown = run("get", "k", "--no-such-flag");
    assertThat(unknown.exitCode()).isEqualTo(2);
    assertThat(unknown.err()).contains("Unknown option: '--no-such-flag'");

    CliRun tls = CliRun.of("get", "k", "--endpoints=https://127.0.0.1:1");
    assertThat(tls.exitCode()).isEqualTo(2);
    assertThat(tls.err())
        .isEqualTo("Error: endpoint https://127.0.0.1:1: TLS is not supported yet; use http://\n");

    long started = System.nanoTime();
    CliRun unreachable =
        CliRun.of("get", "k", "--endpoints=127.0.0.1:" + closedPort(), "--command-timeout=2s");
    assertThat(unreachable.exitCode()).isEqualTo(1);
    assertThat(unreachable.err()).startsWith("Error: UNAVAILABLE").doesNotContain("\n\t");
    assertThat(unreachable.err().lines()).hasSize(1);
    assertThat((System.nanoTime() - started) / 1_000_000_000.0).isLessThan(10);

    CliRun tooLarge = run("put", "big", "x".repeat(1_800_000));
    assertThat(tooLarge.exitCode()).isEqualTo(1);
    assertThat(tooLarge.err()).isEqualTo("Error: etcdserver: request is too large\n");

    CliRun stdinTooLarge =
        withStdin(new byte[KvCommands.STDIN_VALUE_BYTES_MAX + 1], () -> run("put", "big"));
    assertThat(stdinTooLarge.exitCode()).isEqualTo(2);
    assertThat(stdinTooLarge.err())
        .isEqualTo(
            "Error: the value on stdin is larger than "
                + KvCommands.STDIN_VALUE_BYTES_MAX
                + " bytes\n");

    CliRun badLease = run("lease", "revoke", "zz");
    assertThat(badLease.exitCode()).isEqualTo(2);
    assertThat(badLease.err()).startsWith("Error: bad lease ID 'zz'");
  }

  private static long revision(String json) {
    Matcher m = Pattern.compile("\"revision\":\"?(\\d+)").matcher(json);
    assertThat(m.find()).as(json).isTrue();
    return Long.parseLong(m.group(1));
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
