package io.raftkv.client;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import io.etcd.jetcd.api.ClusterGrpc;
import io.etcd.jetcd.api.MaintenanceGrpc;
import io.etcd.jetcd.api.Member;
import io.etcd.jetcd.api.MemberListRequest;
import io.etcd.jetcd.api.MemberListResponse;
import io.etcd.jetcd.api.StatusRequest;
import io.etcd.jetcd.api.StatusResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The members the client talks to and which of them leads. Starts from the endpoints it was given,
 * adds the client URLs the cluster lists (MemberList), and finds the leader by asking every
 * endpoint for its Status (the one whose own member id is the leader it names). A failure at the
 * leader forgets it and looks again; until it is found again, calls go round the endpoints (every
 * member forwards writes to its leader, raftkv and etcd alike).
 */
final class Endpoints implements AutoCloseable {
  private final List<String> endpoints = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final ConcurrentHashMap<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final AtomicInteger next = new AtomicInteger();
  private final Duration probeTimeout;
  private volatile String leader;
  private CompletableFuture<Optional<String>> refreshing;

  Endpoints(List<String> given, Duration probeTimeout) {
    if (given.isEmpty()) {
      throw new IllegalArgumentException("no endpoints given");
    }
    for (String endpoint : given) {
      add(endpoint);
    }
    this.probeTimeout = probeTimeout;
  }

  List<String> all() {
    return List.copyOf(endpoints);
  }

  Optional<String> leader() {
    return Optional.ofNullable(leader);
  }

  /** The leader if known, else the next endpoint in turn. */
  String preferLeader() {
    String known = leader;
    return known != null ? known : roundRobin();
  }

  String roundRobin() {
    return endpoints.get(Math.floorMod(next.getAndIncrement(), endpoints.size()));
  }

  ManagedChannel channel(String endpoint) {
    return channels.computeIfAbsent(endpoint, Endpoints::open);
  }

  /** An attempt at {@code endpoint} failed in a way that says it may not lead (any more). */
  void suspect(String endpoint) {
    if (endpoint.equals(leader)) {
      leader = null;
    }
    CompletableFuture<Optional<String>> unused = refresh();
  }

  /** Asks the cluster for its members and its leader; one refresh at a time. */
  synchronized CompletableFuture<Optional<String>> refresh() {
    if (refreshing != null && !refreshing.isDone()) {
      return refreshing;
    }
    CompletableFuture<Optional<String>> result = new CompletableFuture<>();
    refreshing = result;
    List<String> asked = all();
    List<CompletableFuture<Optional<String>>> probes = new ArrayList<>();
    for (String endpoint : asked) {
      probes.add(probeLeader(endpoint));
    }
    learnMembers(asked.get(Math.floorMod(next.get(), asked.size())));
    CompletableFuture<Void> unused =
        CompletableFuture.allOf(probes.toArray(CompletableFuture[]::new))
            .whenComplete(
                (ignored, failure) -> {
                  Optional<String> found =
                      probes.stream()
                          .map(p -> p.getNow(Optional.empty()))
                          .flatMap(Optional::stream)
                          .findFirst();
                  found.ifPresent(endpoint -> leader = endpoint);
                  result.complete(found);
                });
    return result;
  }

  /** {@code endpoint} if it says it leads; empty when it does not, or does not answer. */
  private CompletableFuture<Optional<String>> probeLeader(String endpoint) {
    CompletableFuture<Optional<String>> result = new CompletableFuture<>();
    ListenableFuture<StatusResponse> call =
        MaintenanceGrpc.newFutureStub(channel(endpoint))
            .withDeadlineAfter(probeTimeout.toMillis(), TimeUnit.MILLISECONDS)
            .status(StatusRequest.getDefaultInstance());
    whenDone(
        call,
        status -> {
          boolean leads =
              status.getLeader() != 0 && status.getLeader() == status.getHeader().getMemberId();
          result.complete(leads ? Optional.of(endpoint) : Optional.empty());
        },
        failure -> result.complete(Optional.empty()));
    return result;
  }

  private void learnMembers(String endpoint) {
    ListenableFuture<MemberListResponse> call =
        ClusterGrpc.newFutureStub(channel(endpoint))
            .withDeadlineAfter(probeTimeout.toMillis(), TimeUnit.MILLISECONDS)
            .memberList(MemberListRequest.getDefaultInstance());
    whenDone(
        call,
        members -> {
          for (Member member : members.getMembersList()) {
            member.getClientURLsList().forEach(this::add);
          }
        },
        failure -> {});
  }

  private void add(String endpoint) {
    String normal = normalise(endpoint);
    synchronized (endpoints) {
      if (!endpoints.contains(normal)) {
        endpoints.add(normal);
      }
    }
  }

  /** host:port, the form every endpoint is kept in ("http://h:p" and "h:p" are the same). */
  static String normalise(String endpoint) {
    String trimmed = endpoint.trim();
    if (trimmed.startsWith("https://")) {
      throw new IllegalArgumentException(
          "endpoint " + endpoint + ": TLS is not supported yet; use http://");
    }
    URI uri = URI.create(trimmed.contains("://") ? trimmed : "http://" + trimmed);
    if (uri.getHost() == null || uri.getPort() < 0) {
      throw new IllegalArgumentException("endpoint " + endpoint + ": expected host:port");
    }
    return uri.getHost() + ":" + uri.getPort();
  }

  private static ManagedChannel open(String endpoint) {
    int colon = endpoint.lastIndexOf(':');
    return NettyChannelBuilder.forAddress(
            endpoint.substring(0, colon), Integer.parseInt(endpoint.substring(colon + 1)))
        .usePlaintext()
        .build();
  }

  static <T> void whenDone(
      ListenableFuture<T> call,
      java.util.function.Consumer<T> onValue,
      java.util.function.Consumer<Throwable> onFailure) {
    Futures.addCallback(
        call,
        new FutureCallback<T>() {
          @Override
          public void onSuccess(T value) {
            onValue.accept(value);
          }

          @Override
          public void onFailure(Throwable failure) {
            onFailure.accept(failure);
          }
        },
        MoreExecutors.directExecutor());
  }

  @Override
  public void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
  }
}
