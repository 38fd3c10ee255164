package io.raftkv.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.AlarmRequest;
import io.etcd.jetcd.api.AlarmType;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.MaintenanceGrpc;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RangeRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.raftkv.chaos.ServerNode;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real processes facing bad peers and a full quota: garbage and a member of another cluster on the
 * peer port are refused with a clear line while the node keeps serving; past {@code
 * --quota-backend-bytes} a node raises NOSPACE, refuses writes with etcd's error and keeps serving
 * reads.
 */
class ServerFaultsTest {
  private static final Duration STARTUP = Duration.ofSeconds(60);

  @TempDir Path root;
  private final List<ServerNode> processes = new java.util.ArrayList<>();
  private final List<ManagedChannel> channels = new java.util.ArrayList<>();

  @AfterEach
  void stopAll() throws InterruptedException {
    channels.forEach(ManagedChannel::shutdownNow);
    for (ServerNode process : processes) {
      process.kill();
      process.close();
    }
  }

  /** A member on free loopback ports, not started: the launcher {@code raftkv cluster} uses. */
  private ServerNode process(String name) throws IOException {
    ServerNode process =
        new ServerNode(
            name, freePort(), freePort(), root.resolve(name), root.resolve(name + ".log"), 0);
    processes.add(process);
    return process;
  }

  private void start(ServerNode node, String initialCluster, String... extraFlags)
      throws IOException {
    List<String> flags = new java.util.ArrayList<>(ProcessCluster.FAST_ELECTIONS);
    flags.addAll(List.of(extraFlags));
    node.start(ClusterCommand.serverCommand(), initialCluster, flags);
  }

  private ManagedChannel channel(ServerNode node) {
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", node.clientPort()).usePlaintext().build();
    channels.add(channel);
    return channel;
  }

  private long put(ManagedChannel channel, String key, String value) {
    return KVGrpc.newBlockingStub(channel)
        .withDeadlineAfter(20, TimeUnit.SECONDS)
        .put(
            PutRequest.newBuilder()
                .setKey(ByteString.copyFromUtf8(key))
                .setValue(ByteString.copyFromUtf8(value))
                .build())
        .getHeader()
        .getRevision();
  }

  private static boolean leads(ServerNode node) {
    return ProcessCluster.status(node).map(s -> s.leaderId() != 0).orElse(false);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  @Test
  void garbageAndAStrangerOnThePeerPortAreRefusedAndTheNodeKeepsServing() throws Exception {
    ServerNode member = process("n1");
    start(member, "n1=" + member.peerUrl());
    awaitTrue("n1 leads", () -> leads(member));

    Random random = new Random(13);
    for (int i = 0; i < 5; i++) {
      byte[] garbage = new byte[1 + random.nextInt(4096)];
      random.nextBytes(garbage);
      try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), member.peerPort());
          OutputStream out = socket.getOutputStream()) {
        out.write(garbage);
      }
    }
    // A node of another cluster (another token) that believes n1 is its peer.
    ServerNode stranger = process("s1");
    start(
        stranger,
        "s1=" + stranger.peerUrl() + ",n1=" + member.peerUrl(),
        "--initial-cluster-token",
        "another-cluster");
    awaitTrue(
        "n1 refuses the stranger",
        () -> ProcessCluster.log(member).contains("cluster id mismatch"));
    // The stranger hears the refusal on its own schedule (it may still be starting).
    awaitTrue(
        "the stranger is refused",
        () -> ProcessCluster.log(stranger).contains("cluster id mismatch"));
    assertThat(member.alive()).isTrue();
    long revision = put(channel(member), "still/serving", "yes");
    assertThat(revision).isPositive();
  }

  @Test
  void pastTheQuotaWritesAreRefusedWithNospaceAndReadsGoOn() throws Exception {
    ServerNode member = process("q1");
    // A fresh member's preallocated WAL alone is over 1 MiB.
    start(member, "q1=" + member.peerUrl(), "--quota-backend-bytes", "1048576");
    awaitTrue("q1 leads", () -> leads(member));
    ManagedChannel channel = channel(member);
    awaitTrue(
        "NOSPACE raised",
        () ->
            MaintenanceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(20, TimeUnit.SECONDS)
                .alarm(AlarmRequest.getDefaultInstance())
                .getAlarmsList()
                .stream()
                .anyMatch(a -> a.getAlarm() == AlarmType.NOSPACE));
    assertThatThrownBy(() -> put(channel, "k", "v"))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
              assertThat(e.getStatus().getDescription())
                  .isEqualTo("etcdserver: mvcc: database space exceeded");
            });
    assertThat(
            KVGrpc.newBlockingStub(channel)
                .withDeadlineAfter(20, TimeUnit.SECONDS)
                .range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("k")).build())
                .getCount())
        .isZero();
    assertThat(member.alive()).isTrue();
  }

  private void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + STARTUP.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        StringBuilder logs = new StringBuilder();
        processes.forEach(
            p -> logs.append("\n==== ").append(p.name()).append('\n').append(p.logTail(60)));
        throw new AssertionError("timed out waiting for " + what + logs);
      }
      Thread.sleep(50); // polling a condition with a deadline
    }
  }
}
