package io.raftkv.server.etcd;

import io.etcd.jetcd.api.CompactionRequest;
import io.etcd.jetcd.api.CompactionResponse;
import io.etcd.jetcd.api.DeleteRangeRequest;
import io.etcd.jetcd.api.DeleteRangeResponse;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.PutResponse;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.RangeResponse;
import io.etcd.jetcd.api.TxnRequest;
import io.etcd.jetcd.api.TxnResponse;
import io.grpc.stub.StreamObserver;
import io.raftkv.kv.Command;
import io.raftkv.kv.CompactRequest;
import io.raftkv.kv.CompactResponse;
import io.raftkv.kv.ErrorResponse;
import io.raftkv.kv.Request;
import io.raftkv.kv.Response;
import io.raftkv.kv.SessionOpenRequest;
import io.raftkv.replica.Consistency;
import io.raftkv.server.NodeContext;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * etcd's KV service. Reads are linearizable unless the client asks for {@code serializable}; the
 * replica confirms a read index with the leader (thesis §6.4), on a follower too. Writes go to the
 * leader: through {@link LeaderRouter} when this member is not it. Responses are built off the
 * event loop, on {@code responder}.
 */
final class KvService extends KVGrpc.KVImplBase {
  private final NodeContext node;
  private final RequestChecks checks;
  private final Headers headers;
  private final LeaderRouter router;
  private final Executor responder;

  KvService(NodeContext node, LeaderRouter router, Executor responder) {
    this.node = node;
    this.checks = new RequestChecks(node);
    this.headers = new Headers(node);
    this.router = router;
    this.responder = responder;
  }

  @Override
  public void range(RangeRequest request, StreamObserver<RangeResponse> out) {
    Replies.serve(
        () -> {
          checks.range(request);
          io.raftkv.kv.RangeRequest read = KvProtos.range(request);
          Consistency consistency =
              request.getSerializable() ? Consistency.SERIALIZABLE : Consistency.LINEARIZABLE;
          return router.local(
              () ->
                  node.replica()
                      .read(read, consistency)
                      .thenApplyAsync(r -> KvProtos.range(r, headers.at(r.revision())), responder));
        },
        out);
  }

  @Override
  public void put(PutRequest request, StreamObserver<PutResponse> out) {
    Replies.serve(
        () -> {
          checks.put(request);
          checks.size(request);
          checks.space();
          return write(
              KvProtos.put(request),
              r -> KvProtos.put((io.raftkv.kv.PutResponse) r, headers.at(r.revision())),
              channel -> KVGrpc.newFutureStub(channel).put(request));
        },
        out);
  }

  @Override
  public void deleteRange(DeleteRangeRequest request, StreamObserver<DeleteRangeResponse> out) {
    Replies.serve(
        () -> {
          checks.delete(request);
          checks.size(request);
          return write(
              KvProtos.delete(request),
              r -> KvProtos.delete((io.raftkv.kv.DeleteRangeResponse) r, headers.at(r.revision())),
              channel -> KVGrpc.newFutureStub(channel).deleteRange(request));
        },
        out);
  }

  @Override
  public void txn(TxnRequest request, StreamObserver<TxnResponse> out) {
    Replies.serve(
        () -> {
          checks.txn(request);
          checks.size(request);
          if (RequestChecks.takesSpace(request)) {
            checks.space();
          }
          return write(
              KvProtos.txn(request),
              r -> KvProtos.txn((io.raftkv.kv.TxnResponse) r, headers.at(r.revision())),
              channel -> KVGrpc.newFutureStub(channel).txn(request));
        },
        out);
  }

  /**
   * etcd's {@code physical} flag waits for the compaction to reach the disk; ours is always
   * physical, in slices after later applies, and invisible to reads: the answer comes once it is
   * applied.
   */
  @Override
  public void compact(CompactionRequest request, StreamObserver<CompactionResponse> out) {
    Replies.serve(
        () ->
            write(
                new CompactRequest(request.getRevision()),
                r ->
                    CompactionResponse.newBuilder()
                        .setHeader(headers.at(((CompactResponse) r).revision()))
                        .build(),
                channel -> KVGrpc.newFutureStub(channel).compact(request)),
        out);
  }

  /**
   * Proposes {@code request} here, or forwards the client's call to the leader. The state machine's
   * refusals become etcd's errors. A write in a client session (SessionService) is proposed with
   * its session and sequence, and forwarded with them, so that a retry applies at most once.
   */
  <T extends com.google.protobuf.Message> CompletableFuture<T> write(
      Request request,
      Function<Response, T> toProto,
      Function<io.grpc.Channel, com.google.common.util.concurrent.ListenableFuture<T>> remote) {
    SessionService.ClientSession session =
        request instanceof SessionOpenRequest ? null : SessionService.SESSION.get();
    Command command =
        session == null
            ? Command.of(request)
            : new Command(session.clientId(), session.sequence(), request);
    Function<io.grpc.Channel, com.google.common.util.concurrent.ListenableFuture<T>> forward =
        session == null
            ? remote
            : channel ->
                remote.apply(
                    io.grpc.ClientInterceptors.intercept(
                        channel,
                        io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(session.headers())));
    return router.call(
        () ->
            node.replica()
                .write(command)
                .thenApplyAsync(
                    response -> {
                      if (response instanceof ErrorResponse error) {
                        throw EtcdErrors.of(error);
                      }
                      return toProto.apply(response);
                    },
                    responder),
        forward);
  }
}
