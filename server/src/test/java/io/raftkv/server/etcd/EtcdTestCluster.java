package io.raftkv.server.etcd;

import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.raftkv.raft.Configuration;
import io.raftkv.raft.CoreLog;
import io.raftkv.raft.DurableState;
import io.raftkv.raft.NodeId;
import io.raftkv.raft.RaftConfig;
import io.raftkv.raft.RaftStatus;
import io.raftkv.raft.Rng;
import io.raftkv.raft.Role;
import io.raftkv.raft.Snapshot;
import io.raftkv.replica.DurableLog;
import io.raftkv.replica.EventLoop;
import io.raftkv.replica.Replica;
import io.raftkv.replica.ReplicaConfig;
import io.raftkv.server.AlarmState;
import io.raftkv.server.Member;
import io.raftkv.server.MemberIds;
import io.raftkv.server.NodeContext;
import io.raftkv.server.NodeEventLoop;
import io.raftkv.server.ServerLimits;
import io.raftkv.storage.PersistBatch;
import io.raftkv.storage.RaftStorage;
import io.raftkv.storage.RealFileSystem;
import io.raftkv.storage.StorageOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

/**
 * Replicas on real threads (one production {@link NodeEventLoop} each), with an in-process
 * transport and an in-memory disk, each behind a real gRPC server on 127.0.0.1 and an ephemeral
 * port, serving {@link EtcdServices}. The process helper's server wires the same services to TCP
 * peers.
 */
final class EtcdTestCluster implements AutoCloseable {
  static final String TOKEN = "etcd-test-cluster";

  final List<Node> nodes = new ArrayList<>();
  private final Map<NodeId, Node> byRaftId = new ConcurrentHashMap<>();

  /**
   * Bugs the nodes' loops met. Production halts on one; here the test JVM lives on and {@link
   * #close} fails the test with the stack trace, which a halted fork would have lost.
   */
  private final List<AssertionError> bugs = new java.util.concurrent.CopyOnWriteArrayList<>();

  EtcdTestCluster(int size) {
    this(size, ServerLimits.defaults(), c -> c);
  }

  EtcdTestCluster(int size, ServerLimits limits, UnaryOperator<ReplicaConfig> tune) {
    List<Long> memberIds = new ArrayList<>();
    List<URI> peerUrls = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      URI peer = URI.create("http://127.0.0.1:" + (23800 + i));
      peerUrls.add(peer);
      memberIds.add(MemberIds.memberId(List.of(peer), TOKEN));
    }
    long clusterId = MemberIds.clusterId(memberIds);
    Configuration voters = Configuration.of(memberIds.stream().map(MemberIds::raftId).toList());
    for (int i = 0; i < size; i++) {
      nodes.add(
          new Node(
              this,
              "n" + (i + 1),
              memberIds.get(i),
              peerUrls.get(i),
              clusterId,
              limits,
              tune.apply(replicaConfig(MemberIds.raftId(memberIds.get(i)), voters))));
    }
    for (Node node : nodes) {
      byRaftId.put(node.raftId, node);
    }
    for (Node node : nodes) {
      node.start();
    }
  }

  /**
   * 10 ms ticks, elections after 0.5-1 s: the shared build machine runs other builds at once, and a
   * loop thread starved for a few hundred milliseconds must not depose a healthy leader.
   */
  private static ReplicaConfig replicaConfig(NodeId id, Configuration voters) {
    RaftConfig raft =
        RaftConfig.defaults(id, voters).toBuilder()
            .electionTimeoutTicks(50)
            .heartbeatTicks(5)
            .build();
    return ReplicaConfig.defaults(raft);
  }

  List<Member> members() {
    return nodes.stream().map(Node::member).toList();
  }

  Node awaitLeader() {
    awaitTrue(
        "a leader every member knows", () -> leaderNode().isPresent(), Duration.ofSeconds(10));
    return leaderNode().orElseThrow();
  }

  Optional<Node> leaderNode() {
    Optional<Node> leader = nodes.stream().filter(n -> n.status.role() == Role.LEADER).findFirst();
    if (leader.isEmpty()) {
      return leader;
    }
    boolean known =
        nodes.stream()
            .filter(n -> !n.stopped)
            .allMatch(n -> n.status.leader().equals(leader.get().raftId));
    return known ? leader : Optional.empty();
  }

  Node follower() {
    Node leader = awaitLeader();
    return nodes.stream().filter(n -> n != leader).findFirst().orElseThrow();
  }

  /**
   * Runs {@code call} again while it fails UNAVAILABLE, as an etcd client retries: the shared build
   * machine is loaded enough that elections happen during tests. Only for idempotent calls.
   */
  static <T> T retryUnavailable(java.util.function.Supplier<T> call) {
    long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      try {
        return call.get();
      } catch (io.grpc.StatusRuntimeException e) {
        if (e.getStatus().getCode() != io.grpc.Status.Code.UNAVAILABLE || System.nanoTime() > end) {
          throw e;
        }
      }
    }
  }

  static void awaitTrue(String what, BooleanSupplier condition, Duration limit) {
    long end = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("not reached within " + limit + ": " + what);
      }
      try {
        Thread.sleep(5); // polling a condition with a deadline, not standing in for one
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what, e);
      }
    }
  }

  @Override
  public void close() {
    for (Node node : nodes) {
      node.close();
    }
    if (!bugs.isEmpty()) {
      AssertionError first = bugs.get(0);
      bugs.stream().skip(1).forEach(first::addSuppressed);
      throw first;
    }
  }

  private void bug(String node, String what, Throwable thrown) {
    AssertionError bug = new AssertionError(node + ": " + what + " threw (a bug)", thrown);
    bug.printStackTrace();
    bugs.add(bug);
  }

  /** One member: its loop, replica, gRPC server and the context the etcd services bind to. */
  static final class Node implements NodeContext {
    private final EtcdTestCluster cluster;
    final String name;
    final long memberId;
    final NodeId raftId;
    final URI peerUrl;
    final long clusterId;
    final ServerLimits limits;
    final ReplicaConfig config;
    final AlarmState alarms;
    final NodeEventLoop loop;
    private final ExecutorService workers = NodeEventLoop.workerPool(2);
    final RaftStorage storage;
    final Path dataDir;
    private final Map<Long, ManagedChannel> channels = new ConcurrentHashMap<>();
    volatile Replica replica;
    volatile RaftStatus status;
    volatile boolean stopped;

    /** Cut off from every other member (both directions) while set: a partition. */
    volatile boolean isolated;

    /** What {@link #progressNotifyInterval()} answers; a test may shorten it. */
    volatile Duration progressNotifyInterval = Duration.ofMinutes(10);

    volatile long storageBytes;
    private Server server;
    private EtcdServices services;
    private ManagedChannel client;

    Node(
        EtcdTestCluster cluster,
        String name,
        long memberId,
        URI peerUrl,
        long clusterId,
        ServerLimits limits,
        ReplicaConfig config) {
      this.cluster = cluster;
      this.name = name;
      this.memberId = memberId;
      this.raftId = MemberIds.raftId(memberId);
      this.peerUrl = peerUrl;
      this.clusterId = clusterId;
      this.limits = limits;
      this.config = config;
      this.alarms = new AlarmState(memberId);
      this.loop =
          new NodeEventLoop(
              "loop-" + name, workers, (what, thrown) -> cluster.bug(name, what, thrown));
      try {
        this.dataDir = Files.createTempDirectory("raftkv-etcd-test-" + name);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      this.storage =
          RaftStorage.open(
              new RealFileSystem(), dataDir, StorageOptions.defaults().withPreallocateBytes(0));
      this.status = new RaftStatus(raftId, Role.FOLLOWER, 0, NodeId.NONE, 0, 0, 0, 0, 0);
    }

    private void start() {
      replica =
          Replica.start(
              config,
              loop,
              message -> {
                Node target = cluster.byRaftId.get(message.to());
                Replica to = target == null ? null : target.replica;
                if (to != null && !target.stopped && !stopped && !isolated && !target.isolated) {
                  to.receive(message);
                }
              },
              new DirectoryLog(storage, loop),
              Rng.seeded(memberId),
              CoreLog.SILENT);
      publishStatus();
      services = EtcdServices.create(this);
      NettyServerBuilder builder =
          NettyServerBuilder.forAddress(
                  new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0))
              .maxInboundMessageSize(limits.maxRequestBytes() + EtcdServices.GRPC_OVERHEAD_BYTES);
      services.services().forEach(builder::addService);
      try {
        server = builder.build().start();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** What the production node publishes each tick, read by gRPC threads. */
    private void publishStatus() {
      if (stopped) {
        return;
      }
      loop.execute(() -> status = replica.raftStatus());
      loop.schedule(Duration.ofMillis(5), this::publishStatus);
    }

    int port() {
      return server.getPort();
    }

    String endpoint() {
      return "127.0.0.1:" + port();
    }

    /** A channel of the test's own to this member. */
    synchronized ManagedChannel channel() {
      if (client == null) {
        client = NettyChannelBuilder.forAddress("127.0.0.1", port()).usePlaintext().build();
      }
      return client;
    }

    Member member() {
      return new Member(
          memberId, name, List.of(peerUrl), List.of(URI.create("http://" + endpoint())));
    }

    /** Runs {@code read} on the loop and waits for it: replica state is the loop's. */
    <T> T onLoop(java.util.function.Supplier<T> read) {
      CompletableFuture<T> result = new CompletableFuture<>();
      loop.execute(() -> result.complete(read.get()));
      return result.orTimeout(5, TimeUnit.SECONDS).join();
    }

    /** Stops the replica and cuts it off; its gRPC server keeps answering, as a stuck node. */
    void stopReplica() {
      stopped = true;
      replica.stop();
    }

    @Override
    public Replica replica() {
      return replica;
    }

    @Override
    public long clusterId() {
      return clusterId;
    }

    @Override
    public long memberId() {
      return memberId;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public List<Member> members() {
      return cluster.members();
    }

    @Override
    public Optional<Member> leader() {
      NodeId leader = status.leader();
      return Optional.ofNullable(cluster.byRaftId.get(leader)).map(Node::member);
    }

    @Override
    public RaftStatus raftStatus() {
      return status;
    }

    @Override
    public Optional<Channel> clientChannel(Member member) {
      Node target = cluster.byRaftId.get(member.raftId());
      if (target == null || target.server == null) {
        return Optional.empty();
      }
      return Optional.of(
          channels.computeIfAbsent(
              member.id(),
              id ->
                  NettyChannelBuilder.forAddress("127.0.0.1", target.port())
                      .usePlaintext()
                      .build()));
    }

    @Override
    public ServerLimits limits() {
      return limits;
    }

    @Override
    public AlarmState alarms() {
      return alarms;
    }

    @Override
    public long storageBytes() {
      return storageBytes;
    }

    /** 50 ticks of 10 ms (see replicaConfig). */
    @Override
    public Duration electionTimeout() {
      return Duration.ofMillis(500);
    }

    @Override
    public Duration progressNotifyInterval() {
      return progressNotifyInterval;
    }

    @Override
    public EventLoop loop() {
      return loop;
    }

    void close() {
      stopped = true;
      if (client != null) {
        client.shutdownNow();
      }
      channels.values().forEach(ManagedChannel::shutdownNow);
      if (server != null) {
        server.shutdownNow();
      }
      if (replica != null) {
        replica.stop();
      }
      // The loop first: the replica's stop, queued on it, ends the watch streams through the
      // services' responder, which must still be running then.
      loop.close();
      if (services != null) {
        services.close();
      }
      // As the node stops: offloaded snapshot writes finish before the storage closes (one cut
      // short would be a bug that halts the JVM, as in production).
      try {
        NodeEventLoop.shutdown(workers);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      storage.close();
      deleteRecursively(dataDir);
    }

    private static void deleteRecursively(Path dir) {
      try (var paths = Files.walk(dir)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        throw new UncheckedIOException("test data dir " + dir + " not removed", e);
      }
    }
  }

  /** Durability in a temporary directory: persisted on the loop, acknowledged by a later task. */
  private static final class DirectoryLog implements DurableLog {
    private final RaftStorage storage;
    private final EventLoop loop;
    private final DurableState recovered;

    DirectoryLog(RaftStorage storage, EventLoop loop) {
      this.storage = storage;
      this.loop = loop;
      this.recovered = storage.recovered();
    }

    @Override
    public DurableState recovered() {
      return recovered;
    }

    @Override
    public void persist(PersistBatch batch, Runnable onDurable) {
      storage.persist(batch);
      loop.execute(onDurable);
    }

    @Override
    public void saveSnapshot(Snapshot snapshot, Runnable onDurable) {
      storage.compact(snapshot);
      loop.execute(onDurable);
    }
  }
}
