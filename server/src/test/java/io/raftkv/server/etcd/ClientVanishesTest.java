package io.raftkv.server.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.LeaseGrantRequest;
import io.etcd.jetcd.api.LeaseGrpc;
import io.etcd.jetcd.api.LeaseTimeToLiveRequest;
import io.etcd.jetcd.api.MaintenanceGrpc;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.SnapshotRequest;
import io.etcd.jetcd.api.SnapshotResponse;
import io.etcd.jetcd.api.WatchCreateRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A client that vanishes in the middle of its streams (its connection closed under open watches, a
 * keep-alive and a half-read snapshot): the member drops what served it, loses nothing it
 * acknowledged, and goes on serving everyone else.
 */
class ClientVanishesTest {
  private static ByteString bytes(String text) {
    return ByteString.copyFromUtf8(text);
  }

  @Test
  void aClientThatVanishesMidStreamLeavesNothingOpenAndLosesNothing() throws Exception {
    try (EtcdTestCluster cluster = new EtcdTestCluster(1)) {
      EtcdTestCluster.Node node = cluster.awaitLeader();
      ManagedChannel vanishing =
          NettyChannelBuilder.forAddress("127.0.0.1", node.port()).usePlaintext().build();
      long lease =
          LeaseGrpc.newBlockingStub(vanishing)
              .withDeadlineAfter(Duration.ofSeconds(20))
              .leaseGrant(LeaseGrantRequest.newBuilder().setTTL(60).build())
              .getID();
      KVGrpc.newBlockingStub(vanishing)
          .withDeadlineAfter(Duration.ofSeconds(20))
          .put(
              PutRequest.newBuilder()
                  .setKey(bytes("cv/held"))
                  .setValue(bytes("v"))
                  .setLease(lease)
                  .build());

      RawWatch watches = new RawWatch(vanishing);
      for (String prefix : new String[] {"cv/a", "cv/b", "cv/c"}) {
        watches.create(WatchCreateRequest.newBuilder().setKey(bytes(prefix)).build());
        assertThat(watches.next().getCreated()).isTrue();
      }
      assertThat(openWatchStreams(node)).as("one replica watch stream per watch").isEqualTo(3);
      RawKeepAlive keepAlive = new RawKeepAlive(vanishing);
      keepAlive.keepAlive(lease);
      assertThat(keepAlive.answers.poll(20, TimeUnit.SECONDS)).isNotNull();
      CompletableFuture<SnapshotResponse> firstChunk = snapshotReadingOneChunk(vanishing);
      assertThat(firstChunk.get(20, TimeUnit.SECONDS).getBlob().isEmpty()).isFalse();

      vanishing.shutdownNow();

      EtcdTestCluster.awaitTrue(
          "the vanished client's watches to be dropped",
          () -> openWatchStreams(node) == 0,
          Duration.ofSeconds(20));
      KVGrpc.KVBlockingStub kv =
          KVGrpc.newBlockingStub(node.channel()).withDeadlineAfter(Duration.ofSeconds(20));
      kv.put(PutRequest.newBuilder().setKey(bytes("cv/after")).setValue(bytes("w")).build());
      assertThat(kv.range(RangeRequest.newBuilder().setKey(bytes("cv/held")).build()).getCount())
          .as("the key on the vanished client's lease")
          .isEqualTo(1);
      assertThat(
              LeaseGrpc.newBlockingStub(node.channel())
                  .withDeadlineAfter(Duration.ofSeconds(20))
                  .leaseTimeToLive(LeaseTimeToLiveRequest.newBuilder().setID(lease).build())
                  .getTTL())
          .as("the lease outlives its keep-alive stream")
          .isPositive();
      Iterator<SnapshotResponse> snapshot =
          MaintenanceGrpc.newBlockingStub(node.channel())
              .withDeadlineAfter(Duration.ofSeconds(20))
              .snapshot(SnapshotRequest.getDefaultInstance());
      long remaining = -1;
      while (snapshot.hasNext()) {
        remaining = snapshot.next().getRemainingBytes();
      }
      assertThat(remaining).as("a whole snapshot for the next client").isZero();
    }
  }

  /** Watch streams open on the node's replica (one per watch), read on its loop as it asks. */
  private static int openWatchStreams(EtcdTestCluster.Node node) {
    CompletableFuture<Integer> open = new CompletableFuture<>();
    node.loop().execute(() -> open.complete(node.replica().status().watches().openCount()));
    try {
      return open.get(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("the node's loop did not answer", e);
    }
  }

  /** A Snapshot stream that takes its first chunk and then reads no more. */
  private static CompletableFuture<SnapshotResponse> snapshotReadingOneChunk(
      ManagedChannel channel) {
    CompletableFuture<SnapshotResponse> first = new CompletableFuture<>();
    MaintenanceGrpc.newStub(channel)
        .snapshot(
            SnapshotRequest.getDefaultInstance(),
            new ClientResponseObserver<SnapshotRequest, SnapshotResponse>() {
              @Override
              public void beforeStart(ClientCallStreamObserver<SnapshotRequest> stream) {
                stream.disableAutoRequestWithInitial(1);
              }

              @Override
              public void onNext(SnapshotResponse value) {
                first.complete(value);
              }

              @Override
              public void onError(Throwable t) {
                first.completeExceptionally(t);
              }

              @Override
              public void onCompleted() {}
            });
    return first;
  }
}
