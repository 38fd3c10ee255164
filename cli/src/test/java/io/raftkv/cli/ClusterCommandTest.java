package io.raftkv.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkv.chaos.ClusterHealth;
import io.raftkv.chaos.LocalCluster;
import io.raftkv.chaos.ServerNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code raftkv cluster} from a temp dir with real server processes: start, start again, status,
 * kill of the leader, restart, stop, start from the data dirs; a taken port, a stale PID, an
 * unknown member. Every PID any command printed is killed afterwards, whatever failed.
 */
class ClusterCommandTest {
  private static final Pattern STARTED_PID = Pattern.compile("started \\(pid (\\d+)\\)");

  @TempDir Path root;
  private final List<Long> pids = new ArrayList<>();

  @AfterEach
  void killEveryProcessStarted() {
    for (long pid : pids) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  @Test
  void startsKillsRestartsStopsAndStartsAgainFromTheDataDirs() throws Exception {
    CliRun started = cluster("start", "-n", "3", "--", "--election-timeout", "500");
    assertThat(started.exitCode()).as(started.err()).isZero();
    assertThat(started.out()).contains("cluster of 3 is healthy: leader n");
    Matcher export = Pattern.compile("export RAFTKV_ENDPOINTS=(\\S+)").matcher(started.out());
    assertThat(export.find()).as(started.out()).isTrue();
    assertThat(export.group(1).split(",")).hasSize(3).allMatch(u -> u.startsWith("http://127."));

    CliRun twice = cluster("start", "-n", "3");
    assertThat(twice.exitCode()).isEqualTo(1);
    assertThat(twice.err()).contains("a cluster is running in").contains("raftkv cluster stop");

    String leader = leaderIn(cluster("status"));
    CliRun killed = cluster("kill", leader);
    assertThat(killed.exitCode()).as(killed.err()).isZero();
    assertThat(killed.out()).contains(leader + " killed (kill -9 of pid");
    String survivorsLeader = awaitLeaderAmongRunning();
    assertThat(survivorsLeader).isNotEqualTo(leader);
    CliRun status = cluster("status");
    assertThat(status.out()).containsPattern("(?m)^" + leader + " +- +down");

    CliRun restarted = cluster("restart", leader);
    assertThat(restarted.exitCode()).as(restarted.err()).isZero();
    assertThat(restarted.out()).contains(leader + " is back: leader n");

    CliRun stopped = cluster("stop");
    assertThat(stopped.exitCode()).as(stopped.err()).isZero();
    assertThat(stopped.out()).contains("n1 stopped", "n2 stopped", "n3 stopped");
    assertThat(pids).allMatch(pid -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));

    CliRun again = cluster("start", "-n", "3");
    assertThat(again.exitCode()).as(again.err()).isZero();
    assertThat(again.out()).contains("from its data dir").contains(export.group(1));
    assertThat(cluster("stop").exitCode()).isZero();
  }

  @Test
  @SuppressWarnings("try") // the squatter holds the port, unused
  void aTakenPortAStalePidAndAnUnknownMemberAreEachOneClearLine() throws Exception {
    CliRun started = cluster("start", "-n", "1");
    assertThat(started.exitCode()).as(started.err()).isZero();
    assertThat(cluster("stop").exitCode()).isZero();
    int clientPort = Integer.parseInt(property("n1.client-port"));

    try (ServerSocket squatter =
        new ServerSocket(clientPort, 1, InetAddress.getLoopbackAddress())) {
      CliRun refused = cluster("start", "-n", "1");
      assertThat(refused.exitCode()).isEqualTo(1);
      assertThat(refused.err())
          .contains("its client port 127.0.0.1:" + clientPort + " is taken")
          .contains("untouched");
    }
    assertThat(root.resolve("data/n1/member")).isDirectory();

    // This JVM's PID runs, but not n1: a stale entry, never signalled.
    long notAServer = ProcessHandle.current().pid();
    Path state = root.resolve("data/cluster.properties");
    Files.writeString(
        state, Files.readString(state).replaceAll("n1.pid=\\d+", "n1.pid=" + notAServer));
    assertThat(cluster("status").out()).containsPattern("(?m)^n1 +- +down");
    CliRun restarted = cluster("start", "-n", "1");
    assertThat(restarted.exitCode()).as(restarted.err()).isZero();
    assertThat(restarted.out()).contains("pid " + notAServer).contains("stale");

    CliRun unknown = cluster("kill", "n9");
    assertThat(unknown.exitCode()).isEqualTo(1);
    assertThat(unknown.err()).contains("no member n9").contains("members: n1");
    assertThat(cluster("start", "-n", "3").err()).contains("holds a 1-member cluster, not 3");
    assertThat(cluster("stop").exitCode()).isZero();
    assertThat(cluster().exitCode()).isEqualTo(2);
  }

  private CliRun cluster(String... args) {
    List<String> line = new ArrayList<>(List.of("cluster"));
    if (args.length > 0) {
      line.add(args[0]);
      line.add("--dir");
      line.add(root.resolve("data").toString());
      line.addAll(List.of(args).subList(1, args.length));
    }
    CliRun run = CliRun.of(line.toArray(String[]::new));
    Matcher pid = STARTED_PID.matcher(run.out());
    while (pid.find()) {
      pids.add(Long.parseLong(pid.group(1)));
    }
    return run;
  }

  private static String leaderIn(CliRun status) {
    Matcher leader =
        Pattern.compile("(?m)^(n\\d) +\\d+ +running +\\S+ +leader").matcher(status.out());
    assertThat(leader.find()).as(status.out()).isTrue();
    return leader.group(1);
  }

  private String awaitLeaderAmongRunning() throws InterruptedException {
    try (LocalCluster cluster =
        LocalCluster.open(root.resolve("data"), ClusterCommand.serverCommand(), line -> {})
            .orElseThrow()) {
      List<ServerNode> running = cluster.nodes().stream().filter(ServerNode::alive).toList();
      return ClusterHealth.awaitLeader(running, Duration.ofSeconds(30)).name();
    }
  }

  private String property(String key) throws IOException {
    Matcher value =
        Pattern.compile("(?m)^" + Pattern.quote(key) + "=(.*)$")
            .matcher(Files.readString(root.resolve("data/cluster.properties")));
    assertThat(value.find()).isTrue();
    return value.group(1).strip();
  }
}
