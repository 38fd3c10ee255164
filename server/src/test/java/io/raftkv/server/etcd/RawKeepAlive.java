package io.raftkv.server.etcd;

import io.etcd.jetcd.api.LeaseGrpc;
import io.etcd.jetcd.api.LeaseKeepAliveRequest;
import io.etcd.jetcd.api.LeaseKeepAliveResponse;
import io.grpc.Channel;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;

/** A client's LeaseKeepAlive stream through the raw stub: every answer, and how it ended. */
final class RawKeepAlive {
  final BlockingQueue<LeaseKeepAliveResponse> answers = new LinkedBlockingQueue<>();

  /** How the server ended the stream: null for onCompleted, else the error. */
  final CompletableFuture<Throwable> ended = new CompletableFuture<>();

  final StreamObserver<LeaseKeepAliveRequest> requests;

  RawKeepAlive(Channel channel) {
    requests =
        LeaseGrpc.newStub(channel)
            .leaseKeepAlive(
                new StreamObserver<>() {
                  @Override
                  public void onNext(LeaseKeepAliveResponse value) {
                    answers.add(value);
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

  void keepAlive(long leaseId) {
    requests.onNext(LeaseKeepAliveRequest.newBuilder().setID(leaseId).build());
  }
}
