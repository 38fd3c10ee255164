package io.raftkv.cli;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.HashKVRequest;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.MaintenanceGrpc;
import io.etcd.jetcd.api.PutRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.raftkv.chaos.LocalCluster;
import io.raftkv.chaos.NodeStatus;
import io.raftkv.chaos.ServerNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Server processes for the process tests, started by the one launcher {@code raftkv cluster} uses
 * (chaos's {@link LocalCluster} and {@link ServerNode}) from the test class path, with short
 * election timeouts; and what those tests ask of them: waits on their state, a put or HashKV
 * through one member, its log. Close kills every member (kill -9).
 */
final class ProcessCluster implements AutoCloseable {
  /** JVM start-up on a loaded 2-core machine takes seconds. */
  static final Duration STARTUP = Duration.ofSeconds(60);

  /** Heartbeat 50 ms, election timeout 500 ms: failovers within a test's patience. */
  static final List<String> FAST_ELECTIONS =
      List.of("--heartbeat-interval", "50", "--election-timeout", "500");

  private final LocalCluster cluster;
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

  /** Starts {@code size} members n1..nN under {@code root}, with {@code extraFlags} for all. */
  ProcessCluster(Path root, int size, String... extraFlags) throws IOException {
    List<String> flags = new ArrayList<>(FAST_ELECTIONS);
    flags.addAll(List.of(extraFlags));
    cluster =
        LocalCluster.openOrCreate(
            root.resolve("cluster"), size, ClusterCommand.serverCommand(), flags, line -> {});
    cluster.startAll();
  }

  List<ServerNode> nodes() {
    return cluster.nodes();
  }

  List<String> endpoints() {
    return cluster.nodes().stream().map(ServerNode::clientUrl).toList();
  }

  /** Starts a killed or stopped member again from its data dir, on its ports. */
  void restart(ServerNode node) throws IOException {
    cluster.restart(node.name());
  }

  /** The one member every running member names as leader. */
  ServerNode awaitLeader(Duration timeout) throws InterruptedException {
    return awaitLeaderAmong(cluster.nodes().stream().filter(ServerNode::alive).toList(), timeout);
  }

  /** Waits until every member of {@code group} names the same leader, which is one of them. */
  ServerNode awaitLeaderAmong(List<ServerNode> group, Duration timeout)
      throws InterruptedException {
    return await(
        timeout,
        "one leader among " + group.stream().map(ServerNode::name).toList(),
        () -> {
          List<Optional<NodeStatus>> statuses = group.stream().map(ProcessCluster::status).toList();
          if (statuses.stream().anyMatch(Optional::isEmpty)) {
            return Optional.empty();
          }
          long leaderId = statuses.get(0).get().leaderId();
          if (leaderId == 0 || statuses.stream().anyMatch(s -> s.get().leaderId() != leaderId)) {
            return Optional.empty();
          }
          for (int i = 0; i < group.size(); i++) {
            if (statuses.get(i).get().memberId() == leaderId) {
              return Optional.of(group.get(i));
            }
          }
          return Optional.empty();
        });
  }

  /** Maintenance.Status of {@code node}, or empty while it does not answer within a second. */
  static Optional<NodeStatus> status(ServerNode node) {
    return node.status(Duration.ofSeconds(1));
  }

  <T> T await(Duration timeout, String what, Supplier<Optional<T>> probe)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      Optional<T> result = probe.get();
      if (result.isPresent()) {
        return result.get();
      }
      Thread.sleep(50); // polling a condition with a deadline
    }
    throw new AssertionError("timed out after " + timeout + " waiting for " + what + logs());
  }

  String logs() {
    StringBuilder logs = new StringBuilder();
    for (ServerNode node : cluster.nodes()) {
      logs.append("\n==== ").append(node.name()).append(" (pid ");
      logs.append(node.alive() ? node.pid() : -1).append(")\n").append(node.logTail(60));
    }
    return logs.toString();
  }

  /** The whole log of {@code node}. */
  static String log(ServerNode node) {
    try {
      return Files.exists(node.logFile()) ? Files.readString(node.logFile()) : "(no log)";
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  /** A channel to {@code node}'s client port, made once. */
  ManagedChannel channel(ServerNode node) {
    return channels.computeIfAbsent(
        node.name(),
        name ->
            NettyChannelBuilder.forAddress("127.0.0.1", node.clientPort()).usePlaintext().build());
  }

  /** A put through {@code node}; its revision. */
  long put(ServerNode node, String key, String value) {
    return KVGrpc.newBlockingStub(channel(node))
        .withDeadlineAfter(20, TimeUnit.SECONDS)
        .put(
            PutRequest.newBuilder()
                .setKey(ByteString.copyFromUtf8(key))
                .setValue(ByteString.copyFromUtf8(value))
                .build())
        .getHeader()
        .getRevision();
  }

  /** Maintenance.HashKV at {@code revision} on {@code node}. */
  long hashKv(ServerNode node, long revision) {
    return MaintenanceGrpc.newBlockingStub(channel(node))
        .withDeadlineAfter(20, TimeUnit.SECONDS)
        .hashKV(HashKVRequest.newBuilder().setRevision(revision).build())
        .getHash();
  }

  /** kill -9 of every member still running; an interrupt ends the wait and is kept. */
  @Override
  public void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
    for (ServerNode node : cluster.nodes()) {
      try {
        node.kill();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    cluster.close();
  }
}
