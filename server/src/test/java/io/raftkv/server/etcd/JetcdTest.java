package io.raftkv.server.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** jetcd, an etcd client that knows nothing of raftkv, on the core paths. */
class JetcdTest {
  private static ByteSequence bytes(String text) {
    return ByteSequence.from(text, StandardCharsets.UTF_8);
  }

  @Test
  void putGetWatchAndLeaseExpiryDeletingKeys() throws Exception {
    try (EtcdTestCluster cluster = new EtcdTestCluster(1);
        Client client =
            Client.builder()
                .endpoints("http://" + cluster.awaitLeader().endpoint())
                .connectTimeout(Duration.ofSeconds(20))
                .build()) {
      long first =
          client
              .getKVClient()
              .put(bytes("j/a"), bytes("1"))
              .get(20, TimeUnit.SECONDS)
              .getHeader()
              .getRevision();
      client.getKVClient().put(bytes("j/b"), bytes("2")).get(20, TimeUnit.SECONDS);
      GetResponse all =
          client
              .getKVClient()
              .get(bytes("j/"), GetOption.builder().isPrefix(true).build())
              .get(20, TimeUnit.SECONDS);
      assertThat(all.getKvs())
          .extracting(kv -> kv.getValue().toString(StandardCharsets.UTF_8))
          .containsExactly("1", "2");

      BlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
      Watch.Watcher watcher =
          client
              .getWatchClient()
              .watch(
                  bytes("j/"),
                  WatchOption.builder().isPrefix(true).withRevision(first).build(),
                  response -> events.addAll(response.getEvents()));
      try {
        for (String expected : List.of("1", "2")) {
          WatchEvent event = events.poll(20, TimeUnit.SECONDS);
          assertThat(event).isNotNull();
          assertThat(event.getKeyValue().getValue().toString(StandardCharsets.UTF_8))
              .isEqualTo(expected);
        }

        long lease = client.getLeaseClient().grant(2).get(20, TimeUnit.SECONDS).getID();
        client
            .getKVClient()
            .put(
                bytes("j/leased"),
                bytes("v"),
                io.etcd.jetcd.options.PutOption.builder().withLeaseId(lease).build())
            .get(20, TimeUnit.SECONDS);
        assertThat(events.poll(20, TimeUnit.SECONDS).getEventType())
            .isEqualTo(WatchEvent.EventType.PUT);
        // Nobody keeps the lease alive: the leader revokes it through the log, deleting the key.
        WatchEvent expired = events.poll(20, TimeUnit.SECONDS);
        assertThat(expired).isNotNull();
        assertThat(expired.getEventType()).isEqualTo(WatchEvent.EventType.DELETE);
        assertThat(expired.getKeyValue().getKey()).isEqualTo(bytes("j/leased"));
        assertThat(
                client
                    .getLeaseClient()
                    .timeToLive(lease, io.etcd.jetcd.options.LeaseOption.DEFAULT)
                    .get(20, TimeUnit.SECONDS)
                    .getTTL())
            .isEqualTo(-1);
      } finally {
        watcher.close();
      }
    }
  }

  /**
   * jetcd on a follower keeps its watch and its lease's keep-alive through a leader change (the
   * leader cut off from the others): events written under the new leader arrive, none twice, and
   * the lease outlives several TTLs because the new leader extends it.
   */
  @Test
  void aWatchAndAKeepAliveSurviveALeaderChange() throws Exception {
    try (EtcdTestCluster cluster = new EtcdTestCluster(3)) {
      EtcdTestCluster.Node oldLeader = cluster.awaitLeader();
      EtcdTestCluster.Node follower = cluster.follower();
      try (Client client =
          Client.builder()
              .endpoints("http://" + follower.endpoint())
              .connectTimeout(Duration.ofSeconds(20))
              .build()) {
        long lease = client.getLeaseClient().grant(3).get(20, TimeUnit.SECONDS).getID();
        // From the next revision, so the first put cannot slip in before the watch opens.
        long start =
            client
                    .getKVClient()
                    .get(bytes("lc/"))
                    .get(20, TimeUnit.SECONDS)
                    .getHeader()
                    .getRevision()
                + 1;
        BlockingQueue<Long> keptAlive = new LinkedBlockingQueue<>();
        BlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
        var keepAlive = client.getLeaseClient().keepAlive(lease, ttlsInto(keptAlive));
        Watch.Watcher watcher =
            client
                .getWatchClient()
                .watch(
                    bytes("lc/"),
                    WatchOption.builder().isPrefix(true).withRevision(start).build(),
                    response -> events.addAll(response.getEvents()));
        try {
          assertThat(keptAlive.poll(20, TimeUnit.SECONDS)).isPositive();
          client.getKVClient().put(bytes("lc/before"), bytes("1")).get(20, TimeUnit.SECONDS);
          assertThat(events.poll(20, TimeUnit.SECONDS).getKeyValue().getKey())
              .isEqualTo(bytes("lc/before"));
          oldLeader.isolated = true;
          awaitLeaderOtherThan(cluster, oldLeader);
          long changedAt = System.nanoTime();
          EtcdTestCluster.retryUnavailable(
              () -> {
                try {
                  return client
                      .getKVClient()
                      .put(bytes("lc/after"), bytes("2"))
                      .get(20, TimeUnit.SECONDS);
                } catch (Exception e) {
                  throw new AssertionError(e);
                }
              });
          WatchEvent after = events.poll(20, TimeUnit.SECONDS);
          assertThat(after.getKeyValue().getKey()).isEqualTo(bytes("lc/after"));
          // Three TTLs after the change, the lease must still be alive: only keep-alives that
          // reached the new leader can have kept it.
          keptAlive.clear();
          while (System.nanoTime() - changedAt < Duration.ofSeconds(9).toNanos()) {
            Long ttl = keptAlive.poll(1, TimeUnit.SECONDS);
            assertThat(ttl == null || ttl > 0).as("keep-alive TTL %s", ttl).isTrue();
          }
          long remaining =
              client
                  .getLeaseClient()
                  .timeToLive(lease, io.etcd.jetcd.options.LeaseOption.DEFAULT)
                  .get(20, TimeUnit.SECONDS)
                  .getTTL();
          assertThat(remaining).as("lease TTL after three TTLs").isPositive();
          assertThat(events).as("no event twice, none extra").isEmpty();
        } finally {
          watcher.close();
          keepAlive.close();
        }
      }
    }
  }

  private static io.grpc.stub.StreamObserver<io.etcd.jetcd.lease.LeaseKeepAliveResponse> ttlsInto(
      BlockingQueue<Long> ttls) {
    return new io.grpc.stub.StreamObserver<>() {
      @Override
      public void onNext(io.etcd.jetcd.lease.LeaseKeepAliveResponse response) {
        ttls.add(response.getTTL());
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {}
    };
  }

  private static void awaitLeaderOtherThan(EtcdTestCluster cluster, EtcdTestCluster.Node old) {
    EtcdTestCluster.awaitTrue(
        "a new leader among the others",
        () ->
            cluster.nodes.stream()
                .filter(n -> n != old)
                .anyMatch(
                    n ->
                        n.status.role() == io.raftkv.raft.Role.LEADER
                            && n.status.leader().equals(n.raftId)),
        Duration.ofSeconds(20));
  }
}
