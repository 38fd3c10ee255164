package io.raftkv.cli;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.WatchCreateRequest;
import io.etcd.jetcd.api.WatchGrpc;
import io.etcd.jetcd.api.WatchRequest;
import io.etcd.jetcd.api.WatchResponse;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A Watch stream opened as etcd's clientv3 opens one with {@code WithRequireLeader}: the metadata
 * {@code hasleader: true}. Keeps how the server ended it.
 */
final class LeaderRequiringWatch implements AutoCloseable {
  private final CompletableFuture<Void> created = new CompletableFuture<>();
  private final CompletableFuture<Status> ended = new CompletableFuture<>();
  private final StreamObserver<WatchRequest> requests;

  /**
   * A watch the server has created. A member that knows no leader at that moment (an election after
   * a handover) ends the stream with "no leader" at once; a client then asks again, as this does
   * until {@code timeout}.
   */
  static LeaderRequiringWatch openCreated(Channel channel, Duration timeout)
      throws InterruptedException, ExecutionException, TimeoutException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      LeaderRequiringWatch watch = new LeaderRequiringWatch(channel);
      long left = Math.max(1, deadline - System.nanoTime());
      CompletableFuture.anyOf(watch.created, watch.ended).get(left, TimeUnit.NANOSECONDS);
      if (watch.created.isDone()) {
        return watch;
      }
      Status end = watch.ended.getNow(Status.OK);
      watch.close();
      boolean noLeader =
          end.getCode() == Status.Code.UNAVAILABLE
              && "etcdserver: no leader".equals(end.getDescription());
      if (!noLeader || System.nanoTime() - deadline > 0) {
        throw new AssertionError("the watch ended before it was created: " + end);
      }
    }
  }

  private LeaderRequiringWatch(Channel channel) {
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of("hasleader", Metadata.ASCII_STRING_MARSHALLER), "true");
    requests =
        WatchGrpc.newStub(
                ClientInterceptors.intercept(
                    channel, MetadataUtils.newAttachHeadersInterceptor(headers)))
            .watch(
                new StreamObserver<>() {
                  @Override
                  public void onNext(WatchResponse response) {
                    if (response.getCreated()) {
                      created.complete(null);
                    }
                  }

                  @Override
                  public void onError(Throwable t) {
                    ended.complete(Status.fromThrowable(t));
                  }

                  @Override
                  public void onCompleted() {
                    ended.complete(Status.OK);
                  }
                });
    requests.onNext(
        WatchRequest.newBuilder()
            .setCreateRequest(
                WatchCreateRequest.newBuilder().setKey(ByteString.copyFromUtf8("watched")))
            .build());
  }

  /** The status the server ended the stream with. */
  CompletableFuture<Status> ended() {
    return ended;
  }

  @Override
  public void close() {
    requests.onError(new RuntimeException("test done"));
  }
}
