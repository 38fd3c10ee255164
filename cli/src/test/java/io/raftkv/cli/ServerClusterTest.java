package io.raftkv.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.api.StatusResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
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
  private final List<ServerProcess> nodes = new ArrayList<>();

  @AfterEach
  void stopAll() {
    for (ServerProcess node : nodes) {
      node.close();
    }
  }

  @Test
  void electsSurvivesKillOfTheLeaderRestartsAndStopsCleanly() throws Exception {
    for (String name : List.of("n1", "n2", "n3")) {
      nodes.add(new ServerProcess(name, root));
    }
    String cluster = ServerProcess.initialCluster(nodes);
    for (ServerProcess node : nodes) {
      node.start(cluster, SMALL_SNAPSHOTS);
    }

    ServerProcess leader = awaitOneLeader(nodes, STARTUP);
    long firstTerm = leader.status().orElseThrow().getRaftTerm();

    leader.kill();
    List<ServerProcess> survivors = nodes.stream().filter(n -> n != leader).toList();
    long killedAt = System.nanoTime();
    ServerProcess second = awaitOneLeader(survivors, REELECTION);
    Duration failover = Duration.ofNanos(System.nanoTime() - killedAt);
    assertThat(second.status().orElseThrow().getRaftTerm()).isGreaterThan(firstTerm);
    System.out.println("failover after kill -9 of the leader: " + failover.toMillis() + " ms");

    // Far behind: the leader snapshots every 20 entries and compacts its log, so the killed
    // node can only catch up through a snapshot.
    long lastRevision = 0;
    for (int i = 0; i < 100; i++) {
      lastRevision = second.put("behind/" + i, "v" + i);
    }
    leader.start(cluster, SMALL_SNAPSHOTS);
    awaitCaughtUp(leader, second, STARTUP);
    assertThat(second.log()).contains("sending snapshot");
    long revision = lastRevision;
    List<Long> hashes = nodes.stream().map(n -> n.hashKv(revision)).toList();
    assertThat(hashes)
        .as("HashKV at revision %d on every member", revision)
        .containsOnly(hashes.get(0));

    // SIGTERM of the leader while one follower is frozen: it hands over to the other, the one
    // that answers and has applied the most, in one try.
    leader.freeze(true);
    second.put("while/frozen", "v");
    int exit = second.terminate();
    leader.freeze(false);
    assertThat(exit).as("exit status after SIGTERM\n%s", second.log()).isZero();
    assertThat(second.log().split("before stopping", -1))
        .as("one handover try\n%s", second.log())
        .hasSize(2);
    assertThat(second.log()).contains("handed leadership over");
    List<ServerProcess> rest = nodes.stream().filter(n -> n != second).toList();
    awaitOneLeader(rest, REELECTION);

    assertALoneMemberEndsLeaderRequiringWatches(rest.get(0), rest.get(1));
  }

  /** etcd's WithRequireLeader: once {@code other} dies, {@code alone} has no leader. */
  private void assertALoneMemberEndsLeaderRequiringWatches(ServerProcess alone, ServerProcess other)
      throws Exception {
    try (LeaderRequiringWatch watch = LeaderRequiringWatch.openCreated(alone.channel(), STARTUP);
        Etcdctl etcdctl = Etcdctl.watch(root, alone.clientUrl(), "alone/k")) {
      if (etcdctl != null) {
        alone.put("alone/k", "seen");
        await(
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

  /** Waits until every node in {@code group} names the same leader, which is one of them. */
  private ServerProcess awaitOneLeader(List<ServerProcess> group, Duration timeout)
      throws InterruptedException {
    return await(
        timeout,
        "one leader among " + group.stream().map(n -> n.name).toList(),
        () -> {
          List<Optional<StatusResponse>> statuses =
              group.stream().map(ServerProcess::status).toList();
          if (statuses.stream().anyMatch(Optional::isEmpty)) {
            return Optional.empty();
          }
          long leaderId = statuses.get(0).get().getLeader();
          if (leaderId == 0 || statuses.stream().anyMatch(s -> s.get().getLeader() != leaderId)) {
            return Optional.empty();
          }
          for (int i = 0; i < group.size(); i++) {
            if (statuses.get(i).get().getHeader().getMemberId() == leaderId) {
              return Optional.of(group.get(i));
            }
          }
          return Optional.empty();
        });
  }

  /** Waits until {@code node} follows {@code leader} and has applied what the leader committed. */
  private void awaitCaughtUp(ServerProcess node, ServerProcess leader, Duration timeout)
      throws InterruptedException {
    long leaderCommit = await(timeout, "leader status", () -> leader.status()).getRaftIndex();
    await(
        timeout,
        node.name + " catching up to index " + leaderCommit,
        () ->
            node.status()
                .filter(s -> s.getRaftAppliedIndex() >= leaderCommit && s.getLeader() != 0)
                .map(s -> true));
  }

  private <T> T await(Duration timeout, String what, Supplier<Optional<T>> probe)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      Optional<T> result = probe.get();
      if (result.isPresent()) {
        return result.get();
      }
      Thread.sleep(50);
    }
    StringBuilder logs = new StringBuilder();
    for (ServerProcess node : nodes) {
      logs.append("\n==== ").append(node.name).append(" (pid ");
      logs.append(node.alive() ? node.pid() : -1).append(")\n").append(node.log());
    }
    throw new AssertionError("timed out after " + timeout + " waiting for " + what + logs);
  }
}
