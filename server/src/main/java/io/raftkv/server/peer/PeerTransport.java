package io.raftkv.server.peer;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.raftkv.raft.Message;
import io.raftkv.raft.NodeId;
import io.raftkv.replica.Transport;
import io.raftkv.server.Member;
import io.raftkv.server.MemberIds;
import io.raftkv.server.peer.proto.Hello;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Raft messages between nodes over TCP: a gRPC server on each {@code --listen-peer-urls} for the
 * streams peers open to us, and one {@link PeerSender} per peer for ours (docs/server.md, "Peer
 * protocol"). Each stream opens with a {@link Hello} that names the cluster and both members; a
 * stream from another cluster, or for another member, is refused with a clear error and the node
 * goes on.
 */
public final class PeerTransport implements Transport, AutoCloseable {
  /** What a peer told us about itself in its hello. */
  public record PeerHello(long memberId, String name, List<URI> clientUrls) {}

  private final Member self;
  private final long clusterId;
  private final Map<Long, Member> members = new HashMap<>();
  private final Map<NodeId, PeerSender> senders = new HashMap<>();
  private final List<ManagedChannel> channels = new ArrayList<>();
  private final List<Server> servers = new ArrayList<>();
  private final ScheduledExecutorService sending =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("peer-send").daemon().factory());
  private final PeerLimits limits;
  private final Map<String, URI> dialUrls;
  private final Consumer<PeerHello> onHello;
  private final Supplier<String> logContext;

  /**
   * @param self this member, with its advertised client URLs (they travel in the hello)
   * @param members every member, this one included
   * @param onHello told each time a peer's hello arrives (its client URLs), on a transport thread
   * @param logContext the node, term and index to open log lines with
   */
  public PeerTransport(
      Member self,
      long clusterId,
      List<Member> members,
      PeerLimits limits,
      Consumer<PeerHello> onHello,
      Supplier<String> logContext) {
    this(self, clusterId, members, Map.of(), limits, onHello, logContext);
  }

  /**
   * @param dialUrls peers (by name) to dial at another URL than their peer URL: the chaos harness
   *     puts a proxy there that it controls per directed link
   */
  public PeerTransport(
      Member self,
      long clusterId,
      List<Member> members,
      Map<String, URI> dialUrls,
      PeerLimits limits,
      Consumer<PeerHello> onHello,
      Supplier<String> logContext) {
    this.dialUrls = Map.copyOf(dialUrls);
    this.self = self;
    this.clusterId = clusterId;
    this.limits = limits;
    this.onHello = onHello;
    this.logContext = logContext;
    members.forEach(m -> this.members.put(m.id(), m));
  }

  /**
   * Listens on {@code listenUrls} and hands every accepted message to {@code inbound}; then opens a
   * stream to every peer. Returns the bound addresses (a port 0 URL gets an ephemeral port).
   *
   * @param afterInbound runs a task after the messages already handed to {@code inbound} have been
   *     taken (the node's loop): each inbound stream asks for more frames only from there
   */
  public List<InetSocketAddress> start(
      List<URI> listenUrls, Consumer<Message> inbound, Executor afterInbound) throws IOException {
    PeerService service = new PeerService(this, inbound, afterInbound, limits.inboundFramesMax());
    List<InetSocketAddress> bound = new ArrayList<>();
    for (URI url : listenUrls) {
      Server server =
          NettyServerBuilder.forAddress(new InetSocketAddress(url.getHost(), url.getPort()))
              .maxInboundMessageSize(limits.frameBytesMax())
              .addService(service.definition())
              .build()
              .start();
      servers.add(server);
      bound.add((InetSocketAddress) server.getListenSockets().get(0));
    }
    for (Member peer : members.values()) {
      if (peer.id() == self.id()) {
        continue;
      }
      URI url = dialUrls.getOrDefault(peer.name(), peer.peerUrls().get(0));
      ManagedChannel channel =
          NettyChannelBuilder.forAddress(url.getHost(), url.getPort())
              .usePlaintext()
              .maxInboundMessageSize(limits.frameBytesMax())
              .build();
      channels.add(channel);
      PeerSender sender = new PeerSender(this, peer, channel, sending, limits);
      senders.put(peer.raftId(), sender);
      sender.start();
    }
    return bound;
  }

  /** Queues {@code message} for its peer; never blocks, drops when that peer's queue is full. */
  @Override
  public void send(Message message) {
    PeerSender sender = senders.get(message.to());
    if (sender != null) {
      sender.offer(message);
    }
  }

  /** Peers our stream to is open (they accepted our hello), in id order. */
  public List<NodeId> connectedPeers() {
    return senders.entrySet().stream()
        .filter(e -> e.getValue().connected())
        .map(Map.Entry::getKey)
        .sorted()
        .toList();
  }

  Member self() {
    return self;
  }

  NodeId raftIdOf(long memberId) {
    return MemberIds.raftId(memberId);
  }

  String logContext() {
    return logContext.get();
  }

  Hello helloTo(long peerMemberId) {
    return Hello.newBuilder()
        .setProtocolVersion(PeerCodec.PROTOCOL_VERSION)
        .setClusterId(clusterId)
        .setFromMemberId(self.id())
        .setToMemberId(peerMemberId)
        .setFromName(self.name())
        .addAllFromClientUrls(self.clientUrls().stream().map(URI::toString).toList())
        .build();
  }

  /** Why {@code hello} is not from a member of this cluster talking to this member; null if ok. */
  String checkHello(Hello hello) {
    if (hello.getProtocolVersion() != PeerCodec.PROTOCOL_VERSION) {
      return "peer protocol version "
          + hello.getProtocolVersion()
          + " is not supported (this node speaks "
          + PeerCodec.PROTOCOL_VERSION
          + ")";
    }
    if (hello.getClusterId() != clusterId) {
      return "cluster id mismatch: peer "
          + hello.getFromName()
          + " is in cluster "
          + MemberIds.hex(hello.getClusterId())
          + ", this node in "
          + MemberIds.hex(clusterId);
    }
    if (hello.getToMemberId() != self.id()) {
      return "member id mismatch: the peer wants member "
          + MemberIds.hex(hello.getToMemberId())
          + ", this is "
          + self.idHex()
          + " ("
          + self.name()
          + ")";
    }
    if (!members.containsKey(hello.getFromMemberId()) || hello.getFromMemberId() == self.id()) {
      return "member " + MemberIds.hex(hello.getFromMemberId()) + " is not in this cluster";
    }
    return null;
  }

  void peerHello(Hello hello) {
    List<URI> urls = new ArrayList<>();
    for (String url : hello.getFromClientUrlsList()) {
      try {
        urls.add(URI.create(url));
      } catch (IllegalArgumentException e) {
        // A peer's bad URL only costs us its client URLs in MemberList.
      }
    }
    onHello.accept(new PeerHello(hello.getFromMemberId(), hello.getFromName(), urls));
  }

  /** Closes our streams and the servers; waits briefly (an interrupt ends the wait, kept). */
  @Override
  public void close() {
    try {
      closeAndWait();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void closeAndWait() throws InterruptedException {
    sending.execute(() -> senders.values().forEach(PeerSender::close));
    for (Server server : servers) {
      server.shutdown();
    }
    for (ManagedChannel channel : channels) {
      channel.shutdown();
    }
    sending.shutdown();
    sending.awaitTermination(2, TimeUnit.SECONDS);
    for (Server server : servers) {
      if (!server.awaitTermination(2, TimeUnit.SECONDS)) {
        server.shutdownNow();
      }
    }
    for (ManagedChannel channel : channels) {
      channel.shutdownNow();
    }
  }
}
