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
 * Three real servers whose peer links run through a {@link ProxyNetwork}: isolating the leader gets
 * the majority side a new leader of its own; healing brings all three under one leader.
 */
class PartitionNemesisTest {
  private static final Duration STARTUP = Duration.ofSeconds(60);
  private static final Duration REELECTION = Duration.ofSeconds(15);

  @TempDir Path root;
  private LocalCluster cluster;
  private ProxyNetwork network;

  @AfterEach
  void killAll() throws InterruptedException {
    if (cluster != null) {
      for (ServerNode node : cluster.nodes()) {
        node.kill();
      }
      cluster.close();
    }
    if (network != null) {
      network.close();
    }
  }

  @Test
  void isolatingTheLeaderElectsAnotherOnTheMajoritySideAndHealingConverges() throws Exception {
    cluster =
        LocalCluster.openOrCreate(
            root,
            3,
            JavaCommand.onThisClassPath(TestServerMain.class.getName()),
            List.of("--heartbeat-interval", "50", "--election-timeout", "500"),
            line -> {});
    network = ProxyNetwork.install(cluster, 7);
    cluster.startAll();
    StringWriter log = new StringWriter();
    Nemesis nemesis =
        new Nemesis(cluster, Optional.of(network), 7, Clock.systemUTC(), new PrintWriter(log));
    ServerNode isolated = nemesis.leader(STARTUP);

    nemesis.apply(Nemesis.Fault.ISOLATE_LEADER, REELECTION);
    List<ServerNode> majority = cluster.nodes().stream().filter(n -> n != isolated).toList();
    ServerNode majorityLeader = ClusterHealth.awaitLeader(majority, REELECTION);
    assertThat(majorityLeader).isNotSameAs(isolated);

    nemesis.healAll();
    assertThat(ClusterHealth.awaitLeader(cluster.nodes(), REELECTION)).isNotSameAs(isolated);
    assertThat(log.toString()).contains("partition isolate-leader: cut", "heal 4 cut links");
  }
}
