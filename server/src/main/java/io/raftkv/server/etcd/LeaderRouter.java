package io.raftkv.server.etcd;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.stub.MetadataUtils;
import io.raftkv.raft.NodeId;
import io.raftkv.replica.ReplicaException;
import io.raftkv.server.Member;
import io.raftkv.server.NodeContext;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Serves a request here or through the leader, so that a client may talk to any member (etcd's
 * followers forward proposals to the leader inside Raft; ours forward the client's call). A request
 * this replica refuses with a leader hint goes, unchanged, to the leader's client URL; one refused
 * for a passing reason (no leader during an election, leadership moving, an entry another leader
 * replaced: each certainly not applied) is tried again with backoff until the request's deadline. A
 * forwarded call is never forwarded again: if its target lost leadership it answers "leader
 * changed" and the member that forwarded it looks for the new leader.
 */
final class LeaderRouter {
  /** etcd's default request timeout: 5 s plus two election timeouts of 1 s. */
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(7);

  static final Metadata.Key<String> FORWARDED_HEADER =
      Metadata.Key.of("raftkv-forwarded", Metadata.ASCII_STRING_MARSHALLER);
  static final Context.Key<Boolean> FORWARDED = Context.keyWithDefault("raftkv-forwarded", false);

  private static final Duration BACKOFF_FIRST = Duration.ofMillis(10);
  private static final Duration BACKOFF_MAX = Duration.ofMillis(200);

  private final NodeContext node;
  private final ClientInterceptor markForwarded;

  LeaderRouter(NodeContext node) {
    this.node = node;
    Metadata headers = new Metadata();
    headers.put(FORWARDED_HEADER, Long.toHexString(node.memberId()));
    this.markForwarded = MetadataUtils.newAttachHeadersInterceptor(headers);
  }

  /** A request's deadline: the client's, or etcd's request timeout, whichever comes first. */
  static Deadline deadline() {
    Deadline ours = Deadline.after(REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    Deadline client = Context.current().getDeadline();
    return client == null ? ours : client.minimum(ours);
  }

  /** Served by this replica only (reads, lease lists): retried while there is no leader. */
  <T extends Message> CompletableFuture<T> local(Supplier<CompletableFuture<T>> local) {
    return call(local, null);
  }

  /**
   * Runs {@code local}; if this replica is not the leader, {@code remote} with the leader's client
   * channel (a stub call carrying the same request). Call from the gRPC thread of the request: its
   * deadline and whether it was forwarded are read from the current gRPC context.
   */
  <T extends Message> CompletableFuture<T> call(
      Supplier<CompletableFuture<T>> local, Function<Channel, ListenableFuture<T>> remote) {
    Deadline deadline = deadline();
    Attempt<T> attempt = new Attempt<>(local, remote, FORWARDED.get(), deadline);
    attempt(attempt);
    // A read waiting for a read index the leader never confirms (a partition) must end too.
    return attempt.result.orTimeout(
        Math.max(1, deadline.timeRemaining(TimeUnit.MILLISECONDS)), TimeUnit.MILLISECONDS);
  }

  private static final class Attempt<T> {
    final Supplier<CompletableFuture<T>> local;
    final Function<Channel, ListenableFuture<T>> remote;
    final boolean forwarded;
    final Deadline deadline;
    final CompletableFuture<T> result = new CompletableFuture<>();
    Duration backoff = BACKOFF_FIRST;

    Attempt(
        Supplier<CompletableFuture<T>> local,
        Function<Channel, ListenableFuture<T>> remote,
        boolean forwarded,
        Deadline deadline) {
      this.local = local;
      this.remote = remote;
      this.forwarded = forwarded;
      this.deadline = deadline;
    }
  }

  private <T> void attempt(Attempt<T> attempt) {
    CompletableFuture<T> local;
    try {
      local = attempt.local.get();
    } catch (RuntimeException e) {
      attempt.result.completeExceptionally(e);
      return;
    }
    CompletableFuture<T> unused =
        local.whenComplete(
            (value, failure) -> {
              if (failure == null) {
                attempt.result.complete(value);
                return;
              }
              Throwable cause = EtcdErrors.unwrap(failure);
              if (cause instanceof ReplicaException e
                  && e.kind() == ReplicaException.Kind.NOT_LEADER
                  && attempt.remote != null) {
                if (attempt.forwarded) {
                  attempt.result.completeExceptionally(EtcdErrors.leaderChanged());
                  return;
                }
                Optional<Channel> channel = member(e.leaderHint()).flatMap(node::clientChannel);
                if (channel.isPresent()) {
                  forward(attempt, channel.get());
                  return;
                }
              }
              retryOrFail(attempt, failure);
            });
  }

  @SuppressWarnings("unchecked")
  private <T> void forward(Attempt<T> attempt, Channel channel) {
    Channel marked =
        ClientInterceptors.intercept(channel, markForwarded, withDeadline(attempt.deadline));
    ListenableFuture<T> call = attempt.remote.apply(marked);
    Futures.addCallback(
        call,
        new FutureCallback<T>() {
          @Override
          public void onSuccess(T value) {
            attempt.result.complete((T) asOurs((Message) value));
          }

          @Override
          public void onFailure(Throwable failure) {
            retryOrFail(attempt, failure);
          }
        },
        MoreExecutors.directExecutor());
  }

  private <T> void retryOrFail(Attempt<T> attempt, Throwable failure) {
    long leftMillis = attempt.deadline.timeRemaining(TimeUnit.MILLISECONDS);
    boolean again = EtcdErrors.retryable(failure) && leftMillis > attempt.backoff.toMillis();
    if (!again) {
      attempt.result.completeExceptionally(EtcdErrors.of(failure));
      return;
    }
    Duration wait = attempt.backoff;
    attempt.backoff = min(attempt.backoff.multipliedBy(2), BACKOFF_MAX);
    node.loop().schedule(wait, () -> attempt(attempt));
  }

  private static ClientInterceptor withDeadline(Deadline deadline) {
    return new ClientInterceptor() {
      @Override
      public <Q, R> ClientCall<Q, R> interceptCall(
          MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        return next.newCall(method, options.withDeadline(deadline));
      }
    };
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private Optional<Member> member(NodeId raftId) {
    return node.members().stream().filter(m -> m.raftId().equals(raftId)).findFirst();
  }

  /** The leader's answer, with this member's id in its header: the client asked this member. */
  private Message asOurs(Message response) {
    FieldDescriptor field = response.getDescriptorForType().findFieldByName("header");
    if (field == null || !response.hasField(field)) {
      return response;
    }
    io.etcd.jetcd.api.ResponseHeader header =
        (io.etcd.jetcd.api.ResponseHeader) response.getField(field);
    return response.toBuilder()
        .setField(field, header.toBuilder().setMemberId(node.memberId()).build())
        .build();
  }
}
