package io.raftkv.server.etcd;

import io.etcd.jetcd.api.WatchGrpc;
import io.etcd.jetcd.api.WatchProgressRequest;
import io.etcd.jetcd.api.WatchRequest;
import io.etcd.jetcd.api.WatchResponse;
import io.grpc.stub.StreamObserver;
import io.raftkv.server.NodeContext;
import java.util.concurrent.Executor;

/**
 * etcd's Watch service: one {@link WatchSession} per stream. jetcd's protos also declare a unary
 * Progress call that etcd does not have; it answers like a progress request.
 */
final class WatchService extends WatchGrpc.WatchImplBase {
  private final NodeContext node;
  private final Headers headers;
  private final LeaderMonitor monitor;
  private final Executor responder;

  WatchService(NodeContext node, LeaderMonitor monitor, Executor responder) {
    this.node = node;
    this.monitor = monitor;
    this.headers = new Headers(node);
    this.responder = responder;
  }

  @Override
  public StreamObserver<WatchRequest> watch(StreamObserver<WatchResponse> out) {
    return new WatchSession(node, headers, monitor, out, responder);
  }

  @Override
  public void progress(WatchProgressRequest request, StreamObserver<WatchResponse> out) {
    Replies.reply(
        headers
            .current()
            .thenApply(
                header ->
                    WatchResponse.newBuilder()
                        .setHeader(header)
                        .setWatchId(WatchSession.NO_WATCH_ID)
                        .build()),
        out);
  }
}
