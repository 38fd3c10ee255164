package io.raftkv.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.KeyValue;
import io.etcd.jetcd.api.RangeRequest;
import io.raftkv.chaos.ServerNode;
import io.raftkv.client.ClientStats;
import io.raftkv.client.ExactlyOnce;
import io.raftkv.client.RaftkvClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly-once writes against real processes: writers put fresh keys without pause while the leader
 * is killed with -9 again and again, so that writes are cut off between apply and reply. The client
 * retries every such write with its session's sequence; afterwards every key must have version 1 (a
 * second apply would make it 2), and every acknowledged write must be there.
 */
class ClientExactlyOnceTest {
  private static final int WRITERS = 6;
  private static final int LEADER_KILLS = 5;

  @TempDir Path root;

  @Test
  void leaderKillsDuringAStreamOfWritesApplyNoWriteTwice() throws Exception {
    try (ProcessCluster cluster = new ProcessCluster(root, 3);
        RaftkvClient client =
            RaftkvClient.builder()
                .endpoints(cluster.endpoints())
                .callTimeout(Duration.ofSeconds(30))
                .attemptTimeout(Duration.ofSeconds(2))
                .exactlyOnce(ExactlyOnce.REQUIRED)
                .jitterSeed(14)
                .build()) {
      cluster.awaitLeader(ProcessCluster.STARTUP);
      assertThat(client.kv().exactlyOnce().get()).isTrue();

      Map<String, String> acknowledged = new ConcurrentHashMap<>();
      List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
      AtomicBoolean stop = new AtomicBoolean();
      try (ExecutorService writers = Executors.newVirtualThreadPerTaskExecutor()) {
        List<Future<?>> running = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
          int writer = w;
          running.add(
              writers.submit(
                  () -> {
                    for (int n = 0; !stop.get(); n++) {
                      String key = "eo/" + writer + "/" + n;
                      try {
                        client.kv().put(key, "v" + n).get();
                        acknowledged.put(key, "v" + n);
                      } catch (Exception e) {
                        failures.add(e);
                      }
                    }
                  }));
        }
        killLeaderRepeatedly(cluster, acknowledged);
        stop.set(true);
        for (Future<?> writer : running) {
          writer.get();
        }
      }

      List<KeyValue> all = everyKey(client);
      List<String> appliedTwice =
          all.stream()
              .filter(kv -> kv.getVersion() != 1)
              .map(kv -> kv.getKey().toStringUtf8())
              .toList();
      List<String> stored = all.stream().map(kv -> kv.getKey().toStringUtf8()).toList();
      ClientStats stats = client.stats();
      System.out.printf(
          "exactly-once: %d writes acknowledged, %d keys stored, %d applied twice, %d failed;"
              + " %d leader kills; %s%n",
          acknowledged.size(),
          all.size(),
          appliedTwice.size(),
          failures.size(),
          LEADER_KILLS,
          stats);
      assertThat(appliedTwice).as("keys written more than once").isEmpty();
      assertThat(stored).containsAll(acknowledged.keySet());
      assertThat(failures).as("writes that failed (30 s call timeout)").isEmpty();
      assertThat(stats.retriesAfterUnknownOutcome())
          .as("writes retried after an attempt that may have applied: the case under test")
          .isPositive();
    }
  }

  private static List<KeyValue> everyKey(RaftkvClient client) throws Exception {
    return client
        .kv()
        .get(
            RangeRequest.newBuilder()
                .setKey(ByteString.copyFromUtf8("eo/"))
                .setRangeEnd(ByteString.copyFromUtf8("eo0"))
                .build())
        .get()
        .getKvsList();
  }

  /** Kills the leader, waits for a new one and for more writes, restarts the old one; repeats. */
  private static void killLeaderRepeatedly(ProcessCluster cluster, Map<String, String> acknowledged)
      throws Exception {
    for (int kill = 0; kill < LEADER_KILLS; kill++) {
      int before = acknowledged.size();
      cluster.await(
          Duration.ofSeconds(60),
          "writes acknowledged before kill " + kill,
          () ->
              acknowledged.size() >= before + 50
                  ? java.util.Optional.of(true)
                  : java.util.Optional.empty());
      ServerNode leader = cluster.awaitLeader(ProcessCluster.STARTUP);
      leader.kill();
      cluster.awaitLeader(Duration.ofSeconds(30));
      cluster.restart(leader);
      cluster.await(
          ProcessCluster.STARTUP,
          leader.name() + " answering again",
          () -> ProcessCluster.status(leader).map(s -> true));
    }
  }
}
