package io.raftkv.server.etcd;

import io.etcd.jetcd.api.LeaseGrantRequest;
import io.etcd.jetcd.api.LeaseGrantResponse;
import io.etcd.jetcd.api.LeaseGrpc;
import io.etcd.jetcd.api.LeaseKeepAliveRequest;
import io.etcd.jetcd.api.LeaseKeepAliveResponse;
import io.etcd.jetcd.api.LeaseRevokeRequest;
import io.etcd.jetcd.api.LeaseRevokeResponse;
import io.etcd.jetcd.api.LeaseTimeToLiveRequest;
import io.etcd.jetcd.api.LeaseTimeToLiveResponse;
import io.etcd.jetcd.api.ResponseHeader;
import io.grpc.stub.StreamObserver;
import io.raftkv.kv.Bytes;
import io.raftkv.kv.KvErrorCode;
import io.raftkv.kv.KvException;
import io.raftkv.kv.LeaseTimeToLive;
import io.raftkv.server.NodeContext;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * etcd's Lease service. Grants and revokes go through the log (on the leader, forwarded from a
 * follower); keep-alives and time-to-live are the leader's lessor's, off the log, as in etcd, and
 * are forwarded to the leader too. LeaseLeases, missing from jetcd's protos, is {@link
 * LeaseLeases}.
 */
final class LeaseService extends LeaseGrpc.LeaseImplBase {
  private final NodeContext node;
  private final KvService kv;
  private final RequestChecks checks;
  private final Headers headers;
  private final LeaderRouter router;
  private final LeaderMonitor monitor;
  private final Executor responder;

  LeaseService(
      NodeContext node,
      KvService kv,
      LeaderRouter router,
      LeaderMonitor monitor,
      Executor responder) {
    this.node = node;
    this.kv = kv;
    this.checks = new RequestChecks(node);
    this.headers = new Headers(node);
    this.router = router;
    this.monitor = monitor;
    this.responder = responder;
  }

  /** The TTL granted is the one asked, raised to the state machine's minimum, as etcd's. */
  @Override
  public void leaseGrant(LeaseGrantRequest request, StreamObserver<LeaseGrantResponse> out) {
    Replies.serve(
        () -> {
          checks.space();
          return kv.write(
              new io.raftkv.kv.LeaseGrantRequest(request.getID(), request.getTTL()),
              r -> {
                var granted = (io.raftkv.kv.LeaseGrantResponse) r;
                return LeaseGrantResponse.newBuilder()
                    .setHeader(headers.at(granted.revision()))
                    .setID(granted.id())
                    .setTTL(granted.ttlSeconds())
                    .build();
              },
              channel -> LeaseGrpc.newFutureStub(channel).leaseGrant(request));
        },
        out);
  }

  @Override
  public void leaseRevoke(LeaseRevokeRequest request, StreamObserver<LeaseRevokeResponse> out) {
    Replies.serve(
        () ->
            kv.write(
                new io.raftkv.kv.LeaseRevokeRequest(request.getID()),
                r -> LeaseRevokeResponse.newBuilder().setHeader(headers.at(r.revision())).build(),
                channel -> LeaseGrpc.newFutureStub(channel).leaseRevoke(request)),
        out);
  }

  /** An unknown lease answers TTL -1, not an error, as etcd's. */
  @Override
  public void leaseTimeToLive(
      LeaseTimeToLiveRequest request, StreamObserver<LeaseTimeToLiveResponse> out) {
    Replies.serve(
        () ->
            router.call(
                () ->
                    node.replica()
                        .leaseTimeToLive(request.getID(), request.getKeys())
                        .handle(
                            (ttl, failure) -> {
                              if (failure == null || notFound(failure)) {
                                return ttl;
                              }
                              throw new java.util.concurrent.CompletionException(failure);
                            })
                        .thenCombineAsync(
                            headers.current(),
                            (ttl, header) -> timeToLive(request.getID(), ttl, header),
                            responder),
                channel -> LeaseGrpc.newFutureStub(channel).leaseTimeToLive(request)),
        out);
  }

  private static LeaseTimeToLiveResponse timeToLive(
      long id, LeaseTimeToLive ttl, ResponseHeader header) {
    LeaseTimeToLiveResponse.Builder out =
        LeaseTimeToLiveResponse.newBuilder().setHeader(header).setID(id);
    if (ttl == null) {
      return out.setTTL(-1).build();
    }
    out.setTTL(ttl.remainingSeconds()).setGrantedTTL(ttl.grantedSeconds());
    for (Bytes key : ttl.keys()) {
      out.addKeys(KvProtos.byteString(key));
    }
    return out.build();
  }

  static boolean notFound(Throwable failure) {
    return EtcdErrors.unwrap(failure) instanceof KvException e
        && e.code() == KvErrorCode.LEASE_NOT_FOUND;
  }

  @Override
  public StreamObserver<LeaseKeepAliveRequest> leaseKeepAlive(
      StreamObserver<LeaseKeepAliveResponse> out) {
    return new KeepAliveSession(node, headers, monitor, out, LeaderRouter.FORWARDED.get());
  }

  /** A keep-alive answered here, as the leader: its TTL, or 0 for an unknown lease (etcd's). */
  static CompletableFuture<LeaseKeepAliveResponse> keepAliveHere(
      NodeContext node, Headers headers, long leaseId) {
    // etcd takes the header before renewing, so its revision is never past a revoke the renewal
    // raced with.
    return headers
        .current()
        .thenCompose(
            header ->
                node.replica()
                    .leaseKeepAlive(leaseId)
                    .handle(
                        (ttl, failure) -> {
                          if (failure != null && !notFound(failure)) {
                            throw new java.util.concurrent.CompletionException(failure);
                          }
                          return LeaseKeepAliveResponse.newBuilder()
                              .setHeader(header)
                              .setID(leaseId)
                              .setTTL(failure == null ? ttl : 0)
                              .build();
                        }));
  }
}
