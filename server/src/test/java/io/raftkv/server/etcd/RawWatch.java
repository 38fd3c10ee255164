package io.raftkv.server.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.api.WatchCreateRequest;
import io.etcd.jetcd.api.WatchGrpc;
import io.etcd.jetcd.api.WatchRequest;
import io.etcd.jetcd.api.WatchResponse;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Metadata;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The client side of one raw Watch stream: requests in, responses queued, its end kept. It may ask
 * for etcd's {@code WithRequireLeader} and may read only when told to (a slow client).
 */
final class RawWatch implements AutoCloseable {
  final BlockingQueue<WatchResponse> responses = new LinkedBlockingQueue<>();

  /** How the server ended the stream: null for onCompleted, else the error. */
  final CompletableFuture<Throwable> ended = new CompletableFuture<>();

  final StreamObserver<WatchRequest> requests;
  private volatile ClientCallStreamObserver<WatchRequest> call;

  /** A stream that reads every response as it comes. */
  RawWatch(Channel channel) {
    this(channel, false, true);
  }

  /**
   * @param requireLeader send etcd's {@code hasleader: true}
   * @param autoRead read every response; otherwise only as many as {@link #read} allows
   */
  RawWatch(Channel channel, boolean requireLeader, boolean autoRead) {
    Channel target = channel;
    if (requireLeader) {
      Metadata headers = new Metadata();
      headers.put(LeaderMonitor.REQUIRE_LEADER_KEY, LeaderMonitor.HAS_LEADER);
      target =
          ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers));
    }
    requests =
        WatchGrpc.newStub(target)
            .watch(
                new ClientResponseObserver<WatchRequest, WatchResponse>() {
                  @Override
                  public void beforeStart(ClientCallStreamObserver<WatchRequest> stream) {
                    call = stream;
                    if (!autoRead) {
                      stream.disableAutoRequestWithInitial(0);
                    }
                  }

                  @Override
                  public void onNext(WatchResponse value) {
                    responses.add(value);
                  }

                  @Override
                  public void onError(Throwable t) {
                    ended.complete(t);
                  }

                  @Override
                  public void onCompleted() {
                    ended.complete(null);
                  }
                });
  }

  /** Lets a stream made without auto-read receive {@code count} more responses. */
  void read(int count) {
    call.request(count);
  }

  void create(WatchCreateRequest create) {
    requests.onNext(WatchRequest.newBuilder().setCreateRequest(create).build());
  }

  WatchResponse next() throws InterruptedException {
    WatchResponse response = responses.poll(20, TimeUnit.SECONDS);
    assertThat(response).as("a watch response within 20 s").isNotNull();
    return response;
  }

  @Override
  public void close() {
    requests.onError(new RuntimeException("test done"));
  }
}
