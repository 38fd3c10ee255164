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

  LeaderRequiringWatch(Channel channel) {
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

  void awaitCreated(Duration timeout)
      throws InterruptedException, ExecutionException, TimeoutException {
    created.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
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
