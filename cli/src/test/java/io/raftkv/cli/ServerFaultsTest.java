package io.raftkv.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.AlarmRequest;
import io.etcd.jetcd.api.AlarmType;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.MaintenanceGrpc;
import io.etcd.jetcd.api.RangeRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
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
  private final List<ServerProcess> processes = new java.util.ArrayList<>();

  @AfterEach
  void stopAll() {
    processes.forEach(ServerProcess::close);
  }

  private ServerProcess process(String name) throws IOException {
    ServerProcess process = new ServerProcess(name, root);
    processes.add(process);
    return process;
  }

  @Test
  void garbageAndAStrangerOnThePeerPortAreRefusedAndTheNodeKeepsServing() throws Exception {
    ServerProcess member = process("n1");
    member.start("n1=" + member.peerUrl());
    awaitTrue("n1 leads", () -> member.status().map(s -> s.getLeader() != 0).orElse(false));

    Random random = new Random(13);
    for (int i = 0; i < 5; i++) {
      byte[] garbage = new byte[1 + random.nextInt(4096)];
      random.nextBytes(garbage);
      try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), member.peerPort);
          OutputStream out = socket.getOutputStream()) {
        out.write(garbage);
      }
    }
    // A node of another cluster (another token) that believes n1 is its peer.
    ServerProcess stranger = process("s1");
    stranger.start(
        "s1=" + stranger.peerUrl() + ",n1=" + member.peerUrl(),
        "--initial-cluster-token",
        "another-cluster");
    awaitTrue("n1 refuses the stranger", () -> member.log().contains("cluster id mismatch"));
    assertThat(stranger.log()).contains("cluster id mismatch");
    assertThat(member.alive()).isTrue();
    long revision = member.put("still/serving", "yes");
    assertThat(revision).isPositive();
  }

  @Test
  void pastTheQuotaWritesAreRefusedWithNospaceAndReadsGoOn() throws Exception {
    ServerProcess member = process("q1");
    // A fresh member's preallocated WAL alone is over 1 MiB.
    member.start("q1=" + member.peerUrl(), "--quota-backend-bytes", "1048576");
    awaitTrue("q1 leads", () -> member.status().map(s -> s.getLeader() != 0).orElse(false));
    awaitTrue(
        "NOSPACE raised",
        () ->
            MaintenanceGrpc.newBlockingStub(member.channel())
                .withDeadlineAfter(20, TimeUnit.SECONDS)
                .alarm(AlarmRequest.getDefaultInstance())
                .getAlarmsList()
                .stream()
                .anyMatch(a -> a.getAlarm() == AlarmType.NOSPACE));
    assertThatThrownBy(() -> member.put("k", "v"))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
              assertThat(e.getStatus().getDescription())
                  .isEqualTo("etcdserver: mvcc: database space exceeded");
            });
    assertThat(
            KVGrpc.newBlockingStub(member.channel())
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
        processes.forEach(p -> logs.append("\n==== ").append(p.name).append('\n').append(p.log()));
        throw new AssertionError("timed out waiting for " + what + logs);
      }
      Thread.sleep(50); // polling a condition with a deadline
    }
  }
}
