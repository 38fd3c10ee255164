package io.raftkv.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkv.chaos.ServerNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real {@code raftkv server} processes on loopback: they elect a leader; kill -9 of the
 * leader lets the others elect another within a few election timeouts; the killed node restarts
 * from its data dir and catches up through a snapshot, with the same HashKV as the others; SIGTERM
 * stops a leader cleanly (exit 0) after handing over; a member whose last peer dies ends its
 * leader-requiring watches (a raw one and etcdctl's) with "etcdserver: no leader".
 */
class ServerClusterTest {
  /** Generous: JVM start-up on a loaded 2-core CI machine takes seconds. */
  private static final Duration STARTUP = Duration.ofSeconds(60);

  /** Election timeout is 500 ms; a new leader within this is "a few election timeouts". */
  private static final Duration REELECTION = Duration.ofSeconds(10);

  private static final String[] SMALL_SNAPSHOTS = {"--snapshot-count", "20"};

  @TempDir Path root;
  private ProcessCluster cluster;

  @AfterEach
  void stopAll() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void electsSurvivesKillOfTheLeaderRestartsAndStopsCleanly() throws Exception {
    cluster = new ProcessCluster(root, 3, SMALL_SNAPSHOTS);
    List<ServerNode> nodes = cluster.nodes();

    ServerNode leader = cluster.awaitLeaderAmong(nodes, STARTUP);
    long firstTerm = ProcessCluster.status(leader).orElseThrow().term();

    leader.kill();
    List<ServerNode> survivors = nodes.stream().filter(n -> n != leader).toList();
    long killedAt = System.nanoTime();
    ServerNode second = cluster.awaitLeaderAmong(survivors, REELECTION);
    Duration failover = Duration.ofNanos(System.nanoTime() - killedAt);
    assertThat(ProcessCluster.status(second).orElseThrow().term()).isGreaterThan(firstTerm);
    System.out.println("failover after kill -9 of the leader: " + failover.toMillis() + " ms");

    // Far behind: the leader snapshots every 20 entries and compacts its log, so the killed
    // node can only catch up through a snapshot.
    long lastRevision = 0;
    for (int i = 0; i < 100; i++) {
      lastRevision = cluster.put(second, "behind/" + i, "v" + i);
    }
    cluster.restart(leader);
    awaitCaughtUp(leader, second, STARTUP);
    assertThat(ProcessCluster.log(second)).contains("sending snapshot");
    long revision = lastRevision;
    List<Long> hashes = nodes.stream().map(n -> cluster.hashKv(n, revision)).toList();
    assertThat(hashes)
        .as("HashKV at revision %d on every member", revision)
        .containsOnly(hashes.get(0));

    // SIGTERM of the leader while one follower is frozen: it hands over to the other, the one
    // that answers and has applied the most, in one try.
    leader.pause();
    cluster.put(second, "while/frozen", "v");
    assertThat(second.terminate(Duration.ofSeconds(30)))
        .as("%s stopped within 30 s of SIGTERM", second.name())
        .isTrue();
    int exit = second.exitStatus().orElseThrow();
    leader.resume();
    String secondLog = ProcessCluster.log(second);
    assertThat(exit).as("exit status after SIGTERM\n%s", secondLog).isZero();
    assertThat(secondLog.split("before stopping", -1))
        .as("one handover try\n%s", secondLog)
        .hasSize(2);
    assertThat(secondLog).contains("handed leadership over");
    List<ServerNode> rest = nodes.stream().filter(n -> n != second).toList();
    cluster.awaitLeaderAmong(rest, REELECTION);

    assertALoneMemberEndsLeaderRequiringWatches(rest.get(0), rest.get(1));
  }

  /** etcd's WithRequireLeader: once {@code other} dies, {@code alone} has no leader. */
  private void assertALoneMemberEndsLeaderRequiringWatches(ServerNode alone, ServerNode other)
      throws Exception {
    try (LeaderRequiringWatch watch =
            LeaderRequiringWatch.openCreated(cluster.channel(alone), STARTUP);
        Etcdctl etcdctl = Etcdctl.watch(root, alone.clientUrl(), "alone/k")) {
      if (etcdctl != null) {
        cluster.put(alone, "alone/k", "seen");
        cluster.await(
            STARTUP,
            "etcdctl watching",
            () -> Optional.of(true).filter(seen -> etcdctl.output().contains("seen")));
      }
      other.kill();
      long killedOtherAt = System.nanoTime();
      io.grpc.Status end = watch.ended().get(REELECTION.toMillis(), TimeUnit.MILLISECONDS);
      System.out.println(
          "watch ended after its member lost the last peer: "
              + Duration.ofNanos(System.nanoTime() - killedOtherAt).toMillis()
              + " ms, "
              + end);
      assertThat(end.getCode()).isEqualTo(io.grpc.Status.Code.UNAVAILABLE);
      assertThat(end.getDescription()).isEqualTo("etcdserver: no leader");
      if (etcdctl != null) {
        assertThat(etcdctl.awaitExit(REELECTION)).as("etcdctl watch ends").isTrue();
        assertThat(etcdctl.output()).contains("etcdserver: no leader");
      }
    }
  }

  /** Waits until {@code node} follows {@code leader} and has applied what the leader committed. */
  private void awaitCaughtUp(ServerNode node, ServerNode leader, Duration timeout)
      throws InterruptedException {
    long leaderCommit =
        cluster.await(timeout, "leader status", () -> ProcessCluster.status(leader)).commitIndex();
    cluster.await(
        timeout,
        node.name() + " catching up to index " + leaderCommit,
        () ->
            ProcessCluster.status(node)
                .filter(s -> s.appliedIndex() >= leaderCommit && s.leaderId() != 0)
                .map(s -> true));
  }
}
