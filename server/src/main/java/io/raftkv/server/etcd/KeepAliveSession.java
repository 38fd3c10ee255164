package io.raftkv.server.etcd;

import io.etcd.jetcd.api.LeaseGrpc;
import io.etcd.jetcd.api.LeaseKeepAliveRequest;
import io.etcd.jetcd.api.LeaseKeepAliveResponse;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.raftkv.replica.ReplicaException;
import io.raftkv.server.Member;
import io.raftkv.server.NodeContext;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * One client's LeaseKeepAlive stream. The leader answers each request from its lessor; a follower
 * relays requests over one stream of its own to the leader and relays the answers back (etcd's
 * followers forward keep-alives to the leader too). When that relay breaks (leader change), the
 * next request opens one to the new leader: a keep-alive lost on the way is covered by the next
 * one, which clients send every third of the TTL.
 */
final class KeepAliveSession implements StreamObserver<LeaseKeepAliveRequest> {
  private final NodeContext node;
  private final Headers headers;
  private final StreamObserver<LeaseKeepAliveResponse> out;
  private final boolean forwarded;
  private final Runnable leaveMonitor;
  private final Metadata forwardedHeaders = new Metadata();
  private StreamObserver<LeaseKeepAliveRequest> relay;
  private RelayAnswers relayAnswers;
  private boolean ended;

  KeepAliveSession(
      NodeContext node,
      Headers headers,
      LeaderMonitor monitor,
      StreamObserver<LeaseKeepAliveResponse> out,
      boolean forwarded) {
    this.node = node;
    this.headers = headers;
    this.out = out;
    this.forwarded = forwarded;
    this.leaveMonitor = monitor.enlist(() -> end(EtcdErrors.noLeader()));
    forwardedHeaders.put(LeaderRouter.FORWARDED_HEADER, Long.toHexString(node.memberId()));
  }

  @Override
  public void onNext(LeaseKeepAliveRequest request) {
    CompletableFuture<?> unused =
        LeaseService.keepAliveHere(node, headers, request.getID())
            .whenComplete(
                (response, failure) -> {
                  if (failure == null) {
                    send(response);
                  } else if (!forwarded && notLeader(failure)) {
                    relay(request);
                  } else if (forwarded && notLeader(failure)) {
                    end(EtcdErrors.leaderChanged());
                  } else {
                    end(EtcdErrors.of(failure));
                  }
                });
  }

  private static boolean notLeader(Throwable failure) {
    return EtcdErrors.unwrap(failure) instanceof ReplicaException e
        && (e.kind() == ReplicaException.Kind.NOT_LEADER
            || e.kind() == ReplicaException.Kind.NO_LEADER);
  }

  private synchronized void relay(LeaseKeepAliveRequest request) {
    if (ended) {
      return;
    }
    if (relay == null) {
      Optional<Channel> channel = node.leader().flatMap(this::channel);
      if (channel.isEmpty()) {
        return; // no leader yet: the client's next keep-alive tries again
      }
      relayAnswers = new RelayAnswers();
      relay = LeaseGrpc.newStub(channel.get()).leaseKeepAlive(relayAnswers);
    }
    relay.onNext(request);
  }

  private Optional<Channel> channel(Member leader) {
    if (leader.id() == node.memberId()) {
      return Optional.empty();
    }
    return node.clientChannel(leader)
        .map(
            c ->
                ClientInterceptors.intercept(
                    c, MetadataUtils.newAttachHeadersInterceptor(forwardedHeaders)));
  }

  private synchronized void relayBroke(RelayAnswers broken) {
    if (broken == relayAnswers) {
      relay = null;
      relayAnswers = null;
    }
  }

  private synchronized void send(LeaseKeepAliveResponse response) {
    if (!ended) {
      out.onNext(response);
    }
  }

  private synchronized void end(RuntimeException error) {
    if (ended) {
      return;
    }
    ended = true;
    leaveMonitor.run();
    closeRelay();
    out.onError(error);
  }

  private void closeRelay() {
    if (relay != null) {
      relay.onCompleted();
      relay = null;
    }
  }

  @Override
  public synchronized void onError(Throwable t) {
    ended = true;
    leaveMonitor.run();
    closeRelay();
  }

  @Override
  public synchronized void onCompleted() {
    if (!ended) {
      ended = true;
      leaveMonitor.run();
      closeRelay();
      out.onCompleted();
    }
  }

  /** The leader's answers, with this member's id in the header. */
  private final class RelayAnswers implements StreamObserver<LeaseKeepAliveResponse> {
    @Override
    public void onNext(LeaseKeepAliveResponse response) {
      send(
          response.toBuilder()
              .setHeader(response.getHeader().toBuilder().setMemberId(node.memberId()))
              .build());
    }

    @Override
    public void onError(Throwable t) {
      relayBroke(this);
    }

    @Override
    public void onCompleted() {
      relayBroke(this);
    }
  }
}
