package io.raftkv.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.Event;
import io.etcd.jetcd.api.LeaseKeepAliveResponse;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.WatchCreateRequest;
import io.etcd.jetcd.api.WatchResponse;
import io.raftkv.chaos.ServerNode;
import io.raftkv.client.KeepAlive;
import io.raftkv.client.Lease;
import io.raftkv.client.LeaseExpiredException;
import io.raftkv.client.RaftkvClient;
import io.raftkv.client.Watch;
import io.raftkv.client.WatchCompactedException;
import io.raftkv.client.Watcher;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Watches and keep-alives across a kill -9 of the leader they stream from: the watch resumes on
 * another member and delivers every event once, in order; the keep-alive goes on renewing, and says
 * so when the lease is gone. A watch that needs compacted revisions ends with the compacted error.
 */
class ClientResumeTest {
  private static final int EVENTS = 40;

  @TempDir Path root;

  @Test
  void aWatchResumesAcrossALeaderKillAndCompactionEndsAWatch() throws Exception {
    try (ProcessCluster cluster = new ProcessCluster(root, 3);
        RaftkvClient client = client(cluster)) {
      ServerNode leader = leaderTheClientFinds(cluster, client);
      long start = client.kv().put("w/0", "0").get().getHeader().getRevision() + 1;
      Collector collected = new Collector();
      Watcher watcher = client.watch().watch(prefix("w/", start), collected);

      for (int i = 1; i <= EVENTS; i++) {
        client.kv().put("w/" + i, Integer.toString(i)).get();
        if (i == EVENTS / 2) {
          leader.kill();
        }
      }
      cluster.await(
          Duration.ofSeconds(60),
          EVENTS + " watch events",
          () -> collected.events().size() >= EVENTS ? Optional.of(true) : Optional.empty());
      List<Event> events = collected.events();
      assertThat(events)
          .extracting(e -> e.getKv().getKey().toStringUtf8())
          .as("every put once, in order")
          .containsExactlyElementsOf(
              java.util.stream.IntStream.rangeClosed(1, EVENTS).mapToObj(i -> "w/" + i).toList());
      assertThat(watcher.resumeCount()).as("the stream broke with its member").isPositive();
      assertThat(collected.ended).isEmpty();

      long compactAt = client.kv().put("w/last", "x").get().getHeader().getRevision();
      client.kv().compact(compactAt).get();
      Collector late = new Collector();
      client.watch().watch(prefix("w/", start), late);
      cluster.await(
          Duration.ofSeconds(30),
          "the compacted watch to end",
          () -> late.ended.stream().findFirst());
      assertThat(late.ended.get(0))
          .isInstanceOfSatisfying(
              WatchCompactedException.class,
              e -> {
                assertThat(e.compactRevision()).isEqualTo(compactAt);
                assertThat(e.nextRevision()).isEqualTo(start);
              });
      watcher.close();
      cluster.await(
          Duration.ofSeconds(30),
          "the closed watch to end",
          () -> collected.ended.stream().findFirst());
    }
  }

  @Test
  void aKeepAliveSurvivesALeaderKillAndReportsTheLeaseGone() throws Exception {
    try (ProcessCluster cluster = new ProcessCluster(root, 3);
        RaftkvClient client = client(cluster)) {
      ServerNode leader = leaderTheClientFinds(cluster, client);
      long leaseId = client.lease().grant(Duration.ofSeconds(6)).get().getID();
      client
          .kv()
          .put(
              PutRequest.newBuilder()
                  .setKey(ByteString.copyFromUtf8("held"))
                  .setValue(ByteString.copyFromUtf8("x"))
                  .setLease(leaseId)
                  .build())
          .get();
      AtomicInteger renewals = new AtomicInteger();
      List<Throwable> ended = Collections.synchronizedList(new ArrayList<>());
      KeepAlive keepAlive =
          client
              .lease()
              .keepAlive(
                  leaseId,
                  new Lease.KeepAliveListener() {
                    @Override
                    public void onRenewed(LeaseKeepAliveResponse response) {
                      renewals.incrementAndGet();
                    }

                    @Override
                    public void onEnded(Throwable why) {
                      ended.add(why);
                    }
                  });
      cluster.await(
          Duration.ofSeconds(30),
          "a first renewal",
          () -> renewals.get() > 0 ? Optional.of(true) : Optional.empty());

      leader.kill();
      int atKill = renewals.get();
      // Four renewals at TTL / 3 = 2 s each: more than a TTL after the kill, so a lease the new
      // leader did not keep would have expired by then.
      cluster.await(
          Duration.ofSeconds(60),
          "renewals after the leader kill (keep-alive ended: " + ended + ")",
          () -> renewals.get() >= atKill + 4 ? Optional.of(true) : Optional.empty());
      assertThat(keepAlive.resumeCount()).isPositive();
      assertThat(ended).isEmpty();
      assertThat(client.lease().timeToLive(leaseId, false).get().getTTL()).isPositive();
      assertThat(client.kv().get("held").get().getKvsCount()).isEqualTo(1);

      client.lease().revoke(leaseId).get();
      cluster.await(
          Duration.ofSeconds(30), "the keep-alive to end", () -> ended.stream().findFirst());
      assertThat(ended.get(0)).isInstanceOf(LeaseExpiredException.class);
    }
  }

  private static RaftkvClient client(ProcessCluster cluster) {
    return RaftkvClient.builder()
        .endpoints(cluster.endpoints())
        .callTimeout(Duration.ofSeconds(30))
        .jitterSeed(14)
        .build();
  }

  /**
   * The leader the members name, once the client finds the same one. One probe round may find none
   * (a status probe times out on a loaded machine, or asks during an election): the client then
   * says so, and a user asks again, as this does.
   */
  private static ServerNode leaderTheClientFinds(ProcessCluster cluster, RaftkvClient client)
      throws InterruptedException {
    return cluster.await(
        ProcessCluster.STARTUP,
        "the client to find the leader the members name",
        () -> {
          try {
            ServerNode leader = cluster.awaitLeader(ProcessCluster.STARTUP);
            Optional<String> found = client.maintenance().findLeader().get();
            return found.equals(Optional.of(endpoint(leader)))
                ? Optional.of(leader)
                : Optional.empty();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
          } catch (java.util.concurrent.ExecutionException e) {
            throw new AssertionError("findLeader failed", e);
          }
        });
  }

  private static String endpoint(ServerNode node) {
    return "127.0.0.1:" + node.clientPort();
  }

  private static WatchCreateRequest prefix(String prefix, long startRevision) {
    return WatchCreateRequest.newBuilder()
        .setKey(ByteString.copyFromUtf8(prefix))
        .setRangeEnd(ByteString.copyFromUtf8(prefix.substring(0, prefix.length() - 1) + "0"))
        .setStartRevision(startRevision)
        .build();
  }

  /** Everything a watch delivered, and how it ended. */
  private static final class Collector implements Watch.Listener {
    private final List<Event> events = new ArrayList<>();
    final List<Throwable> ended = Collections.synchronizedList(new ArrayList<>());

    @Override
    public synchronized void onEvents(WatchResponse response) {
      events.addAll(response.getEventsList());
    }

    @Override
    public void onEnded(Throwable why) {
      ended.add(why);
    }

    synchronized List<Event> events() {
      return List.copyOf(events);
    }
  }
}
