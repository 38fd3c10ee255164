package io.raftkv.server.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real etcdctl (3.4) against one member: what a user types, and what it prints. */
class EtcdctlTest {
  private static final Path ETCDCTL = Path.of("/usr/bin/etcdctl");
  private static EtcdTestCluster cluster;
  private static EtcdTestCluster.Node node;

  record Result(int exitCode, String out, String err) {}

  @BeforeAll
  static void start() {
    assumeTrue(Files.isExecutable(ETCDCTL), "etcdctl is not installed at " + ETCDCTL + ": skipped");
    cluster = new EtcdTestCluster(1);
    node = cluster.awaitLeader();
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static Result etcdctl(String stdin, String... args) {
    return etcdctlAt(node.endpoint(), stdin, args);
  }

  private static Result etcdctlAt(String endpoints, String stdin, String... args) {
    List<String> command =
        new ArrayList<>(
            List.of(ETCDCTL.toString(), "--endpoints", endpoints, "--command-timeout=20s"));
    command.addAll(List.of(args));
    try {
      ProcessBuilder builder = new ProcessBuilder(command);
      builder.environment().put("ETCDCTL_API", "3");
      Process process = builder.start();
      if (stdin != null) {
        process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
      }
      process.getOutputStream().close();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("etcdctl " + String.join(" ", args) + " did not finish in 60 s");
      }
      return new Result(
          process.exitValue(),
          new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
          new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new AssertionError("etcdctl did not run", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static String ok(String... args) {
    Result result = etcdctl(null, args);
    assertThat(result.exitCode())
        .as("etcdctl %s: %s", String.join(" ", args), result.err())
        .isZero();
    return result.out();
  }

  @Test
  void putGetPrefixLimitSortAndDelete() {
    assertThat(ok("put", "ctl/b", "2")).isEqualTo("OK\n");
    ok("put", "ctl/a", "1");
    ok("put", "ctl/c", "3");
    assertThat(ok("get", "ctl/a")).isEqualTo("ctl/a\n1\n");
    assertThat(ok("get", "--prefix", "ctl/", "--keys-only"))
        .isEqualTo("ctl/a\n\nctl/b\n\nctl/c\n\n");
    assertThat(ok("get", "--prefix", "ctl/", "--limit", "2", "--sort-by=KEY", "--order=DESCEND"))
        .isEqualTo("ctl/c\n3\nctl/b\n2\n");
    assertThat(ok("get", "ctl/a", "ctl/c", "--consistency=s")).isEqualTo("ctl/a\n1\nctl/b\n2\n");
    assertThat(ok("del", "--prefix", "ctl/")).isEqualTo("3\n");
    assertThat(ok("get", "--prefix", "ctl/")).isEmpty();
  }

  @Test
  void txnFromStdin() {
    ok("put", "txn/k", "v1");
    // compares, a blank line, the success branch, a blank line, the failure branch
    Result txn = etcdctl("value(\"txn/k\") = \"v1\"\n\nput txn/k v2\nget txn/k\n\n\n", "txn");
    assertThat(txn.exitCode()).as(txn.err()).isZero();
    assertThat(txn.out()).isEqualTo("SUCCESS\n\nOK\n\ntxn/k\nv2\n");
    Result failed = etcdctl("value(\"txn/k\") = \"v1\"\n\n\nget txn/k\n\n", "txn");
    assertThat(failed.out()).isEqualTo("FAILURE\n\ntxn/k\nv2\n");
  }

  @Test
  void watchFromAPastRevisionReplaysHistoryThenFollowsLiveWrites() throws Exception {
    String first = ok("put", "w/k", "1", "-w", "json");
    long revision = Long.parseLong(first.replaceAll(".*\"revision\":(\\d+).*\\s*", "$1"));
    ok("put", "w/k", "2");
    ProcessBuilder builder =
        new ProcessBuilder(
            ETCDCTL.toString(),
            "--endpoints",
            node.endpoint(),
            "watch",
            "w/k",
            "--rev",
            Long.toString(revision));
    builder.environment().put("ETCDCTL_API", "3");
    builder.redirectErrorStream(true);
    Process watch = builder.start();
    try (var lines =
        new java.io.BufferedReader(
            new java.io.InputStreamReader(watch.getInputStream(), StandardCharsets.UTF_8))) {
      List<String> seen = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        seen.add(lines.readLine());
      }
      assertThat(seen).containsExactly("PUT", "w/k", "1", "PUT", "w/k", "2");
      ok("put", "w/k", "3");
      assertThat(List.of(lines.readLine(), lines.readLine(), lines.readLine()))
          .containsExactly("PUT", "w/k", "3");
    } finally {
      watch.destroyForcibly();
      watch.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void leaseGrantAttachTimeToLiveKeepAliveListAndRevoke() {
    String granted = ok("lease", "grant", "60");
    assertThat(granted).matches("lease [0-9a-f]+ granted with TTL\\(60s\\)\n");
    String id = granted.split(" ", -1)[1];
    ok("put", "leased", "v", "--lease", id);
    assertThat(ok("lease", "timetolive", id, "--keys"))
        .matches(
            "lease "
                + id
                + " granted with TTL\\(60s\\), remaining\\(\\d+s\\),"
                + " attached keys\\(\\[leased\\]\\)\n");
    assertThat(ok("lease", "keep-alive", "--once", id))
        .contains("lease " + id + " keepalived with TTL(60)");
    assertThat(ok("lease", "list")).contains(id);
    assertThat(ok("lease", "revoke", id)).isEqualTo("lease " + id + " revoked\n");
    assertThat(ok("get", "leased")).isEmpty();
    assertThat(ok("lease", "timetolive", id)).isEqualTo("lease " + id + " already expired\n");
  }

  @Test
  void endpointStatusHealthHashKvAndMemberList() {
    String status = ok("endpoint", "status", "-w", "json");
    assertThat(status)
        .contains("\"version\":\"3.4.23\"")
        .contains("\"leader\":" + Long.toUnsignedString(node.memberId));
    Result health = etcdctl(null, "endpoint", "health");
    assertThat(health.exitCode()).isZero();
    assertThat(health.err()).contains(node.endpoint() + " is healthy");
    assertThat(ok("endpoint", "hashkv")).contains(node.endpoint());
    assertThat(ok("member", "list"))
        .isEqualTo(
            Long.toHexString(node.memberId)
                + ", started, "
                + node.name
                + ", "
                + node.peerUrl
                + ", http://"
                + node.endpoint()
                + ", false\n");
    Result add = etcdctl(null, "member", "add", "n9", "--peer-urls=http://127.0.0.1:2999");
    assertThat(add.exitCode()).isNotZero();
    assertThat(add.err()).contains("membership changes");
  }

  @Test
  void compactionAndItsErrors() {
    ok("put", "comp/k", "1");
    String second = ok("put", "comp/k", "2", "-w", "json");
    long revision = Long.parseLong(second.replaceAll(".*\"revision\":(\\d+).*\\s*", "$1"));
    assertThat(ok("compaction", Long.toString(revision)))
        .isEqualTo("compacted revision " + revision + "\n");
    Result again = etcdctl(null, "compaction", Long.toString(revision));
    assertThat(again.exitCode()).isNotZero();
    assertThat(again.err()).contains("etcdserver: mvcc: required revision has been compacted");
    Result old = etcdctl(null, "get", "comp/k", "--rev", Long.toString(revision - 1));
    assertThat(old.err()).contains("etcdserver: mvcc: required revision has been compacted");
  }

  @Test
  void snapshotSaveSucceeds(@TempDir Path dir) throws IOException {
    ok("put", "snap/k", "v");
    Path file = dir.resolve("backup.db");
    String saved = ok("snapshot", "save", file.toString());
    assertThat(saved).contains("Snapshot saved at " + file);
    assertThat(Files.size(file) % 512).isEqualTo(32);
  }

  /** etcdctl left running (lock holders, campaigners, listeners); its output read line by line. */
  private static final class Background implements AutoCloseable {
    final Process process;
    final java.io.BufferedReader lines;

    Background(String... args) throws IOException {
      List<String> command =
          new ArrayList<>(List.of(ETCDCTL.toString(), "--endpoints", node.endpoint()));
      command.addAll(List.of(args));
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
      builder.environment().put("ETCDCTL_API", "3");
      process = builder.start();
      lines =
          new java.io.BufferedReader(
              new java.io.InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    String line() throws IOException {
      return lines.readLine();
    }

    @Override
    public void close() throws IOException {
      process.destroyForcibly();
      lines.close();
    }
  }

  /** etcd's lock recipe (KV, lease, watch): a second locker waits until the first lets go. */
  @Test
  void lockIsExclusiveUntilItsHolderLetsGo() throws Exception {
    assertThat(ok("lock", "ctl-lock", "--", "echo", "locked")).isEqualTo("locked\n");
    try (Background holder = new Background("lock", "ctl-lock")) {
      assertThat(holder.line()).startsWith("ctl-lock/");
      try (Background waiter = new Background("lock", "ctl-lock", "--", "echo", "second")) {
        // A bounded look for something that must not happen: the waiter stays blocked.
        assertThat(waiter.process.waitFor(1500, TimeUnit.MILLISECONDS))
            .as("the second locker waits while the first holds the lock")
            .isFalse();
        holder.process.destroy(); // SIGTERM: etcdctl unlocks and revokes its session's lease
        assertThat(waiter.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(waiter.line()).isEqualTo("second");
      }
    }
  }

  /** etcd's election recipe: the campaigner leads and a listener sees its proposal. */
  @Test
  void electCampaignsAndListenSeesTheLeader() throws Exception {
    try (Background campaigner = new Background("elect", "ctl-election", "p1")) {
      assertThat(campaigner.line()).startsWith("ctl-election/");
      assertThat(campaigner.line()).isEqualTo("p1");
      try (Background listener = new Background("elect", "-l", "ctl-election")) {
        assertThat(listener.line()).startsWith("ctl-election/");
        assertThat(listener.line()).isEqualTo("p1");
      }
    }
  }

  /** move-leader on three members: leadership moves to the member named. */
  @Test
  void moveLeaderTransfersLeadership() {
    try (EtcdTestCluster three = new EtcdTestCluster(3)) {
      EtcdTestCluster.Node leader = three.awaitLeader();
      EtcdTestCluster.Node target = three.follower();
      String endpoints =
          String.join(",", three.nodes.stream().map(EtcdTestCluster.Node::endpoint).toList());
      Result moved = etcdctlAt(endpoints, null, "move-leader", Long.toHexString(target.memberId));
      assertThat(moved.exitCode()).as(moved.err()).isZero();
      assertThat(moved.out())
          .isEqualTo(
              "Leadership transferred from "
                  + Long.toHexString(leader.memberId)
                  + " to "
                  + Long.toHexString(target.memberId)
                  + "\n");
      assertThat(three.awaitLeader()).isSameAs(target);
    }
  }
}
