package io.raftkv.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The nemesis against three real server processes: kill -9 of the leader and SIGSTOP of the leader
 * each lead to a new leader among the others; healing (restart, SIGCONT) brings every member back
 * under one leader. Every process is killed by PID afterwards.
 */
class NemesisTest {
  private static final Duration STARTUP = Duration.ofSeconds(60);
  private static final Duration REELECTION = Duration.ofSeconds(15);

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
  void killAndPauseOfTheLeaderElectAnotherAndHealingConverges() throws Exception {
    cluster =
        LocalCluster.openOrCreate(
            root,
            3,
            JavaCommand.onThisClassPath(TestServerMain.class.getName()),
            List.of("--heartbeat-interval", "50", "--election-timeout", "500"),
            line -> {});
    cluster.startAll();
    StringWriter log = new StringWriter();
    Nemesis nemesis =
        new Nemesis(cluster, Optional.empty(), 42, Clock.systemUTC(), new PrintWriter(log));
    ServerNode first = nemesis.leader(STARTUP);

    nemesis.apply(Nemesis.Fault.KILL_LEADER, REELECTION);
    assertThat(first.alive()).isFalse();
    ServerNode second = nemesis.leader(REELECTION);
    assertThat(second).isNotSameAs(first);
    nemesis.healAll();
    assertThat(ClusterHealth.awaitLeader(cluster.nodes(), STARTUP)).isNotNull();

    ServerNode beforePause = nemesis.leader(REELECTION);
    nemesis.apply(Nemesis.Fault.PAUSE_LEADER, REELECTION);
    assertThat(beforePause.alive()).as("paused, not dead").isTrue();
    assertThat(nemesis.leader(REELECTION)).isNotSameAs(beforePause);
    nemesis.healAll();
    ServerNode converged = ClusterHealth.awaitLeader(cluster.nodes(), REELECTION);
    assertThat(converged).isNotSameAs(beforePause);

    assertThat(log.toString())
        .containsPattern("(?m)^\\d{4}-\\d\\d-\\d\\dT\\S+Z nemesis seed=42")
        .contains("kill -9 " + first.name(), "restart " + first.name())
        .contains("pause " + beforePause.name(), "resume " + beforePause.name());
  }
}
