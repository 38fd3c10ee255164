package io.raftkv.replica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkv.kv.Bytes;
import io.raftkv.kv.Command;
import io.raftkv.kv.KvException;
import io.raftkv.kv.PutRequest;
import io.raftkv.kv.PutResponse;
import io.raftkv.kv.RangeRequest;
import io.raftkv.kv.RangeResponse;
import io.raftkv.kv.Response;
import io.raftkv.kv.SessionOpenRequest;
import io.raftkv.kv.SessionOpenResponse;
import io.raftkv.raft.NodeId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** The replica's write and read paths, restarts and snapshots, on a deterministic loop. */
class ReplicaTest {
  private static final Duration SECOND = Duration.ofSeconds(1);

  private static Bytes bytes(String s) {
    return Bytes.utf8(s);
  }

  private static <T> T await(LocalCluster cluster, CompletableFuture<T> future) {
    cluster.runUntil("the future completes", future::isDone, SECOND);
    try {
      return future.get();
    } catch (InterruptedException | ExecutionException e) {
      throw new AssertionError("future failed", e);
    }
  }

  private static Throwable failure(LocalCluster cluster, CompletableFuture<?> future) {
    cluster.runUntil("the future completes", future::isDone, SECOND);
    assertThat(future).isCompletedExceptionally();
    return future.handle((v, e) -> e).join();
  }

  @Test
  void writeCommitsAppliesAndIsReadBackLinearizably() {
    LocalCluster cluster = new LocalCluster(3, c -> c);
    Replica leader = cluster.awaitLeader();
    Response put = await(cluster, leader.write(Command.of(PutRequest.of(bytes("k"), bytes("v1")))));
    assertThat(put).isInstanceOf(PutResponse.class);
    RangeResponse read =
        await(cluster, leader.read(RangeRequest.of(bytes("k")), Consistency.LINEARIZABLE));
    assertThat(read.kvs())
        .singleElement()
        .satisfies(kv -> assertThat(kv.value()).isEqualTo(bytes("v1")));
  }

  @Test
  void followerRefusesWritesNamingTheLeader() {
    LocalCluster cluster = new LocalCluster(3, c -> c);
    Replica leader = cluster.awaitLeader();
    cluster.run(Duration.ofMillis(100)); // followers hear a heartbeat and learn the leader
    Replica follower = cluster.follower();
    Throwable write =
        failure(cluster, follower.write(Command.of(PutRequest.of(bytes("k"), bytes("v")))));
    assertThat(write)
        .isInstanceOfSatisfying(
            ReplicaException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(ReplicaException.Kind.NOT_LEADER);
              assertThat(e.leaderHint()).isEqualTo(leader.id());
              assertThat(e.definite()).isTrue();
              assertThat(e).hasMessageContaining("not leader (leader is " + leader.id() + ")");
            });
  }

  /** Thesis §6.4: a follower serves a linearizable read at the leader's read index. */
  @Test
  void followerServesLinearizableReadThroughTheLeadersReadIndex() {
    LocalCluster cluster = new LocalCluster(3, c -> c);
    Replica leader = cluster.awaitLeader();
    cluster.run(Duration.ofMillis(100));
    Replica follower = cluster.follower();
    await(cluster, leader.write(Command.of(PutRequest.of(bytes("k"), bytes("v2")))));
    // Acknowledged by the leader; the follower may not have applied it yet, but its
    // linearizable read must see it.
    RangeResponse read =
        await(cluster, follower.read(RangeRequest.of(bytes("k")), Consistency.LINEARIZABLE));
    assertThat(read.kvs())
        .singleElement()
        .satisfies(kv -> assertThat(kv.value()).isEqualTo(bytes("v2")));
  }

  @Test
  void serializableReadOnFollowerSeesAppliedState() {
    LocalCluster cluster = new LocalCluster(3, c -> c);
    Replica leader = cluster.awaitLeader();
    await(cluster, leader.write(Command.of(PutRequest.of(bytes("k"), bytes("v")))));
    cluster.run(Duration.ofMillis(100));
    RangeResponse read =
        await(
            cluster,
            cluster.follower().read(RangeRequest.of(bytes("k")), Consistency.SERIALIZABLE));
    assertThat(read.kvs()).hasSize(1);
  }

  @Test
  void invalidRequestIsRefusedBeforeProposing() {
    LocalCluster cluster = new LocalCluster(3, c -> c);
    Replica leader = cluster.awaitLeader();
    long before = leader.raftStatus().lastIndex();
    Throwable failure =
        failure(cluster, leader.write(Command.of(PutRequest.of(Bytes.empty(), bytes("v")))));
    assertThat(failure).isInstanceOf(KvException.class);
    assertThat(leader.raftStatus().lastIndex()).isEqualTo(before);
  }

  /** Raft thesis §6.3 through the replica: a retried write with the same sequence applies once. */
  @Test
  void retriedSessionWriteAppliesOnce() {
    LocalCluster cluster = new LocalCluster(3, c -> c);
    Replica leader = cluster.awaitLeader();
    SessionOpenResponse session =
        (SessionOpenResponse) await(cluster, leader.write(Command.of(new SessionOpenRequest())));
    Command put = new Command(session.clientId(), 1, PutRequest.of(bytes("k"), bytes("v")));
    PutResponse first = (PutResponse) await(cluster, leader.write(put));
    PutResponse retry = (PutResponse) await(cluster, leader.write(put));
    assertThat(retry).isEqualTo(first);
    assertThat(leader.revision()).isEqualTo(first.revision());
  }

  /** The switch the simulator must catch: without the session, a retry applies twice. */
  @Test
  void skipSessionCheckBugAppliesARetriedWriteTwice() {
    LocalCluster cluster =
        new LocalCluster(3, c -> c, java.util.Set.of(ReplicaBug.SKIP_SESSION_CHECK));
    Replica leader = cluster.awaitLeader();
    SessionOpenResponse session =
        (SessionOpenResponse) await(cluster, leader.write(Command.of(new SessionOpenRequest())));
    Command put = new Command(session.clientId(), 1, PutRequest.of(bytes("k"), bytes("v")));
    PutResponse first = (PutResponse) await(cluster, leader.write(put));
    PutResponse retry = (PutResponse) await(cluster, leader.write(put));
    assertThat(retry.revision()).isEqualTo(first.revision() + 1);
  }

  @Test
  void restartedReplicaRecoversFromItsDiskAndCatchesUp() {
    LocalCluster cluster = new LocalCluster(3, c -> c);
    Replica leader = cluster.awaitLeader();
    NodeId restarted = cluster.follower().id();
    for (int i = 0; i < 5; i++) {
      await(cluster, leader.write(Command.of(PutRequest.of(bytes("k" + i), bytes("v")))));
    }
    cluster.run(Duration.ofMillis(50));
    long lastIndexBeforeStop = cluster.replica(restarted).raftStatus().lastIndex();
    cluster.stop(restarted);
    for (int i = 5; i < 10; i++) {
      await(cluster, leader.write(Command.of(PutRequest.of(bytes("k" + i), bytes("v")))));
    }
    cluster.start(restarted);
    // Before any message arrives, its log is what its own disk held.
    assertThat(cluster.replica(restarted).raftStatus().lastIndex()).isEqualTo(lastIndexBeforeStop);
    cluster.runUntil(
        "restarted node caught up",
        () -> cluster.replica(restarted).revision() == leader.revision(),
        SECOND.multipliedBy(5));
  }

  /** Snapshot policy, and a lagging node brought back by InstallSnapshot. */
  @Test
  void snapshotsAreTakenByPolicyAndInstalledOnALaggingNode() {
    LocalCluster cluster = new LocalCluster(3, c -> c.withSnapshotEveryEntries(5));
    Replica leader = cluster.awaitLeader();
    NodeId lagging = cluster.follower().id();
    cluster.stop(lagging);
    for (int i = 0; i < 30; i++) {
      await(cluster, leader.write(Command.of(PutRequest.of(bytes("k" + i), bytes("v")))));
    }
    cluster.run(Duration.ofMillis(50));
    assertThat(leader.raftStatus().snapshotIndex()).isGreaterThanOrEqualTo(25);
    cluster.start(lagging);
    cluster.runUntil(
        "lagging node restored and caught up",
        () -> cluster.replica(lagging).revision() == leader.revision(),
        SECOND.multipliedBy(5));
    assertThat(cluster.replica(lagging).raftStatus().snapshotIndex()).isPositive();
    RangeResponse all =
        await(
            cluster,
            cluster
                .replica(lagging)
                .read(RangeRequest.prefix(bytes("k")), Consistency.SERIALIZABLE));
    assertThat(all.kvs()).hasSize(30);
  }

  /**
   * The snapshot image is written off the loop while writes keep applying; what a restart recovers
   * from it and the log is still every write, each with its own value.
   */
  @Test
  void snapshotsWrittenOffTheLoopWhileWritesApplyRecoverEveryWrite() {
    LocalCluster cluster = new LocalCluster(3, c -> c.withSnapshotEveryEntries(5));
    Replica leader = cluster.awaitLeader();
    List<CompletableFuture<Response>> writes = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      writes.add(leader.write(Command.of(PutRequest.of(bytes("k" + i), bytes("v" + i)))));
    }
    writes.forEach(write -> await(cluster, write));
    cluster.run(Duration.ofMillis(50));
    assertThat(cluster.offloaded()).as("snapshot images written off the loop").isPositive();
    assertThat(leader.raftStatus().snapshotIndex()).isGreaterThanOrEqualTo(35);
    List<NodeId> ids = List.of(NodeId.of(1), NodeId.of(2), NodeId.of(3));
    ids.forEach(cluster::stop);
    ids.forEach(cluster::start);
    Replica restarted = cluster.awaitLeader();
    cluster.runUntil(
        "every node caught up",
        () -> ids.stream().allMatch(id -> cluster.replica(id).revision() == restarted.revision()),
        SECOND.multipliedBy(5));
    for (NodeId id : ids) {
      RangeResponse all =
          await(
              cluster,
              cluster.replica(id).read(RangeRequest.prefix(bytes("k")), Consistency.SERIALIZABLE));
      assertThat(all.kvs())
          .as("%s", id)
          .hasSize(40)
          .allSatisfy(
              kv ->
                  assertThat(kv.value().toStringUtf8())
                      .isEqualTo("v" + kv.key().toStringUtf8().substring(1)));
    }
  }

  @Test
  void stoppedReplicaFailsInFlightWritesAsIndeterminate() {
    LocalCluster cluster = new LocalCluster(3, c -> c);
    Replica leader = cluster.awaitLeader();
    CompletableFuture<Response> write =
        leader.write(Command.of(PutRequest.of(bytes("k"), bytes("v"))));
    leader.stop();
    Throwable failure = failure(cluster, write);
    assertThat(failure)
        .isInstanceOfSatisfying(ReplicaException.class, e -> assertThat(e.definite()).isFalse());
  }

  /** Lease expiry reaches the log as the leader's revoke: the attached key disappears. */
  @Test
  void expiredLeaseIsRevokedThroughTheLogAndItsKeysDeleted() {
    LocalCluster cluster = new LocalCluster(3, c -> c);
    Replica leader = cluster.awaitLeader();
    await(cluster, leader.write(Command.of(new io.raftkv.kv.LeaseGrantRequest(7, 2))));
    await(cluster, leader.write(Command.of(PutRequest.of(bytes("k"), bytes("v")).withLease(7))));
    // Keep-alives hold it past its TTL...
    for (int i = 0; i < 3; i++) {
      cluster.run(Duration.ofSeconds(1));
      assertThat(await(cluster, leader.leaseKeepAlive(7))).isEqualTo(2);
    }
    assertThat(
            await(cluster, leader.read(RangeRequest.of(bytes("k")), Consistency.LINEARIZABLE))
                .kvs())
        .hasSize(1);
    // ...then it lapses, and every replica deletes the key when the revoke applies.
    cluster.run(Duration.ofSeconds(3));
    assertThat(
            await(cluster, leader.read(RangeRequest.of(bytes("k")), Consistency.LINEARIZABLE))
                .kvs())
        .isEmpty();
    cluster.run(Duration.ofMillis(100));
    assertThat(
            await(
                    cluster,
                    cluster.follower().read(RangeRequest.of(bytes("k")), Consistency.SERIALIZABLE))
                .kvs())
        .isEmpty();
    Throwable unknown = failure(cluster, leader.leaseKeepAlive(7));
    assertThat(unknown).isInstanceOf(KvException.class);
  }

  @Test
  void keepAliveOnFollowerIsRefusedNamingTheLeader() {
    LocalCluster cluster = new LocalCluster(3, c -> c);
    Replica leader = cluster.awaitLeader();
    await(cluster, leader.write(Command.of(new io.raftkv.kv.LeaseGrantRequest(7, 10))));
    cluster.run(Duration.ofMillis(100));
    Throwable failure = failure(cluster, cluster.follower().leaseKeepAlive(7));
    assertThat(failure)
        .isInstanceOfSatisfying(
            ReplicaException.class, e -> assertThat(e.leaderHint()).isEqualTo(leader.id()));
  }

  @Test
  void badConfigurationIsRefused() {
    assertThatThrownBy(
            () ->
                ReplicaConfig.defaults(
                        io.raftkv.raft.RaftConfig.defaults(
                            NodeId.of(1), io.raftkv.raft.Configuration.ofIds(1)))
                    .withSnapshotEveryEntries(0))
        .hasMessageContaining("snapshotEveryEntries");
  }
}
