package io.raftkv.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkv.chaos.ClusterHealth;
import io.raftkv.chaos.LocalCluster;
import io.raftkv.chaos.NodeStatus;
import io.raftkv.chaos.ServerNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real {@code raftkv server} processes on loopback (started by the production launcher,
 * chaos's {@link LocalCluster}): they elect a leader; kill -9 of the leader lets the others elect
 * another within a few election timeouts; the killed node restarts from its data dir and catches
 * up; SIGTERM stops a leader cleanly (exit 0) after handing over.
 */
class ServerClusterTest {
  /** Generous: JVM start-up on a loaded 2-core CI machine takes seconds. */
  private static final Duration STARTUP = Duration.ofSeconds(60);

  /** Election timeout is 500 ms; a new leader within this is "a few election timeouts". */
  private static final Duration REELECTION = Duration.ofSeconds(10);

  @TempDir Path root;
  private LocalCluster cluster;

  @AfterEach
  void killAll() throws InterruptedException {
    if (cluster != null) {
      for (ServerNode node : cluster.nodes()) {
        node.kill();
      }
      cluster.close();
    }
  }

  @Test
  void electsSurvivesKillOfTheLeaderRestartsAndStopsCleanly() throws Exception {
    cluster =
        LocalCluster.openOrCreate(
            root,
            3,
            ClusterCommand.serverCommand(),
            List.of("--heartbeat-interval", "50", "--election-timeout", "500"),
            line -> {});
    cluster.startAll();

    ServerNode leader = ClusterHealth.awaitLeader(cluster.nodes(), STARTUP);
    long firstTerm = status(leader).term();

    cluster.kill(leader.name());
    List<ServerNode> survivors = cluster.nodes().stream().filter(n -> n != leader).toList();
    long killedAt = System.nanoTime();
    ServerNode second = ClusterHealth.awaitLeader(survivors, REELECTION);
    Duration failover = Duration.ofNanos(System.nanoTime() - killedAt);
    assertThat(status(second).term()).isGreaterThan(firstTerm);
    System.out.println("failover after kill -9 of the leader: " + failover.toMillis() + " ms");

    cluster.restart(leader.name());
    awaitCaughtUp(leader, second, STARTUP);

    assertThat(second.terminate(Duration.ofSeconds(30))).as("stopped within 30 s").isTrue();
    String log = Files.readString(second.logFile());
    assertThat(second.exitStatus()).as("exit status after SIGTERM\n%s", log).contains(0);
    assertThat(log).contains("transferring leadership");
    List<ServerNode> rest = cluster.nodes().stream().filter(n -> n != second).toList();
    ClusterHealth.awaitLeader(rest, REELECTION);
  }

  private static NodeStatus status(ServerNode node) {
    return node.status(ClusterHealth.PROBE_TIMEOUT).orElseThrow();
  }

  /** Waits until {@code node} follows a leader and has applied what {@code leader} committed. */
  private static void awaitCaughtUp(ServerNode node, ServerNode leader, Duration timeout)
      throws InterruptedException {
    long leaderCommit = status(leader).commitIndex();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      boolean caughtUp =
          node.status(ClusterHealth.PROBE_TIMEOUT)
              .map(s -> s.appliedIndex() >= leaderCommit && s.leaderId() != 0)
              .orElse(false);
      if (caughtUp) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError(
        node.name() + " did not catch up to index " + leaderCommit + ":\n" + node.logTail(40));
  }
}
