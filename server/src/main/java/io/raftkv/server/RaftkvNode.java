package io.raftkv.server;

import io.grpc.BindableService;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.raftkv.kv.KvLimits;
import io.raftkv.raft.Configuration;
import io.raftkv.raft.NodeId;
import io.raftkv.raft.RaftConfig;
import io.raftkv.raft.RaftStatus;
import io.raftkv.raft.Rng;
import io.raftkv.raft.Role;
import io.raftkv.replica.EventLoop;
import io.raftkv.replica.GroupCommitDurableLog;
import io.raftkv.replica.Replica;
import io.raftkv.replica.ReplicaConfig;
import io.raftkv.server.etcd.EtcdServices;
import io.raftkv.server.peer.PeerLimits;
import io.raftkv.server.peer.PeerTransport;
import io.raftkv.storage.DiskFullException;
import io.raftkv.storage.GroupCommitLog;
import io.raftkv.storage.RaftStorage;
import io.raftkv.storage.RealFileSystem;
import io.raftkv.storage.StorageOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running raftkv member: its data dir (WAL and snapshots through storage), its event loop and
 * replica, the peer transport on {@code --listen-peer-urls} and the etcd API on {@code
 * --listen-client-urls}. {@link #start} brings it up; {@link #stop} takes it down in order
 * (docs/server.md, "Shutdown").
 */
public final class RaftkvNode implements NodeContext {
  private static final Logger LOG = LoggerFactory.getLogger(RaftkvNode.class);

  /** gRPC framing around a request of --max-request-bytes, as etcd's grpcOverheadBytes. */
  private static final int GRPC_OVERHEAD_BYTES = 512 * 1024;

  /** Room around the state machine's request in a log entry: session, sequence, tags. */
  private static final int ENTRY_OVERHEAD_BYTES = 4096;

  private final ServerConfig config;
  private final DataDir.Identity identity;
  private final Member self;
  private final ServerLimits limits;
  private final AlarmState alarms;
  private final ExecutorService workers;
  private final NodeEventLoop loop;
  private final RaftStorage storage;
  private final GroupCommitLog groupCommit;
  private final PeerTransport transport;
  private final Replica replica;
  private final Map<Long, List<URI>> clientUrls = new ConcurrentHashMap<>();
  private final Map<Long, ManagedChannel> clientChannels = new ConcurrentHashMap<>();
  private final List<Server> clientServers = new ArrayList<>();
  private final List<InetSocketAddress> peerAddresses;
  private volatile RaftStatus status;
  private volatile long storageBytes;

  private RaftkvNode(ServerConfig config, DataDir.Identity identity) throws IOException {
    this.config = config;
    this.identity = identity;
    this.limits = config.limits();
    this.alarms = new AlarmState(identity.memberId());
    this.self =
        identity.members().stream()
            .filter(m -> m.id() == identity.memberId())
            .findFirst()
            .orElseThrow()
            .withClientUrls(config.advertiseClientUrls());
    clientUrls.put(self.id(), self.clientUrls());
    this.workers = NodeEventLoop.workerPool(2);
    this.loop = new NodeEventLoop("loop-" + config.name(), workers);
    this.storage =
        RaftStorage.open(
            new RealFileSystem(), DataDir.memberDir(config.dataDir()), StorageOptions.defaults());
    this.groupCommit = new GroupCommitLog(storage, 1024, 64L << 20);
    ReplicaConfig replicaConfig = replicaConfig();
    RaftConfig raft = replicaConfig.raft();
    int messageBytesMax =
        (int) Math.max(raft.appendBytesMax() + raft.entryBytesMax(), raft.snapshotChunkBytes())
            + 65536;
    this.transport =
        new PeerTransport(
            self,
            identity.clusterId(),
            identity.members(),
            config.peerDialUrls(),
            PeerLimits.defaults(messageBytesMax),
            hello -> clientUrls.put(hello.memberId(), hello.clientUrls()),
            this::logContext);
    GroupCommitDurableLog durableLog =
        new GroupCommitDurableLog(storage, groupCommit, loop, new DiskOutcomes(alarms));
    this.status = initialStatus(raft.id());
    this.replica =
        Replica.start(
            replicaConfig,
            loop,
            transport,
            durableLog,
            Rng.seeded(new SecureRandom().nextLong()),
            new Slf4jCoreLog());
    this.peerAddresses = transport.start(config.listenPeerUrls(), replica::receive, loop::execute);
  }

  /**
   * Checks the data dir against the flags (a {@link ConfigException} before anything is written),
   * records a new member's identity, opens storage, starts the replica and both servers.
   */
  public static RaftkvNode start(ServerConfig config) throws IOException {
    DataDir.Identity identity = DataDir.check(config).orElseGet(() -> DataDir.create(config));
    RaftkvNode node = new RaftkvNode(config, identity);
    node.publishStatusEachTick();
    if (config.autoCompaction().enabled()) {
      new AutoCompactor(node.loop, node.replica, config.autoCompaction(), config.name()).start();
    }
    node.measureStorageEachSecond();
    node.startClientServers();
    LOG.info(
        "{} started: member {} of cluster {}, peers on {}, clients on {}",
        node.logContext(),
        node.self.idHex(),
        MemberIds.hex(identity.clusterId()),
        node.peerAddresses,
        config.listenClientUrls());
    return node;
  }

  private ReplicaConfig replicaConfig() {
    NodeId id = self.raftId();
    Configuration voters =
        Configuration.of(identity.members().stream().map(Member::raftId).toList());
    RaftConfig raft =
        RaftConfig.builder(id, voters)
            .electionTimeoutTicks(config.electionTimeoutTicks())
            .heartbeatTicks(1)
            .entryBytesMax(limits.maxRequestBytes() + ENTRY_OVERHEAD_BYTES)
            .build();
    KvLimits kv = KvLimits.defaults();
    KvLimits kvLimits =
        new KvLimits(
                limits.maxRequestBytes(),
                limits.maxTxnOps(),
                kv.txnDepthMax(),
                kv.leaseTtlMinSeconds(),
                kv.sessionsMax(),
                kv.watchEventsMax())
            .withCompactionSliceKeysMax(kv.compactionSliceKeysMax());
    return new ReplicaConfig(
        raft, config.heartbeatInterval(), config.snapshotCount(), 10_000, 10_000, kvLimits);
  }

  private static RaftStatus initialStatus(NodeId id) {
    return new RaftStatus(id, Role.FOLLOWER, 0, NodeId.NONE, 0, 0, 0, 0, 0);
  }

  /**
   * The status other threads read, refreshed on the loop once a tick; one INFO line whenever the
   * role, the term or the leader changed (the core's own lines say why).
   */
  private void publishStatusEachTick() {
    loop.execute(
        () -> {
          RaftStatus before = status;
          status = replica.raftStatus();
          if (status.role() != before.role()
              || status.currentTerm() != before.currentTerm()
              || !status.leader().equals(before.leader())) {
            LOG.info(
                "{} role={} leader={}",
                logContext(),
                status.role(),
                leader().map(Member::name).orElse("none"));
          }
          loop.schedule(config.heartbeatInterval(), this::publishStatusEachTick);
        });
  }

  private void measureStorageEachSecond() {
    workers.execute(
        () -> {
          storageBytes = DataDirSize.bytes(DataDir.memberDir(config.dataDir()));
          if (storageBytes > limits.quotaBackendBytes()) {
            alarms.raise(
                AlarmState.Type.NOSPACE,
                storageBytes
                    + " bytes on disk exceed --quota-backend-bytes "
                    + limits.quotaBackendBytes());
          }
          loop.schedule(Duration.ofSeconds(1), () -> measureStorageEachSecond());
        });
  }

  private void startClientServers() throws IOException {
    List<BindableService> services = EtcdServices.bindAll(this);
    for (URI url : config.listenClientUrls()) {
      NettyServerBuilder builder =
          NettyServerBuilder.forAddress(new InetSocketAddress(url.getHost(), url.getPort()))
              .maxInboundMessageSize(limits.maxRequestBytes() + GRPC_OVERHEAD_BYTES);
      services.forEach(builder::addService);
      clientServers.add(builder.build().start());
    }
  }

  String logContext() {
    RaftStatus s = status;
    return config.name() + " term=" + s.currentTerm() + " index=" + s.commitIndex();
  }

  // ------------------------------------------------------------------ NodeContext

  @Override
  public Replica replica() {
    return replica;
  }

  @Override
  public long clusterId() {
    return identity.clusterId();
  }

  @Override
  public long memberId() {
    return identity.memberId();
  }

  @Override
  public String name() {
    return config.name();
  }

  @Override
  public List<Member> members() {
    return identity.members().stream()
        .map(m -> m.withClientUrls(clientUrls.getOrDefault(m.id(), List.of())))
        .toList();
  }

  @Override
  public Optional<Member> leader() {
    NodeId leader = status.leader();
    return members().stream().filter(m -> m.raftId().equals(leader)).findFirst();
  }

  @Override
  public RaftStatus raftStatus() {
    return status;
  }

  @Override
  public Optional<Channel> clientChannel(Member member) {
    List<URI> urls = clientUrls.getOrDefault(member.id(), List.of());
    if (urls.isEmpty()) {
      return Optional.empty();
    }
    URI url = urls.get(0);
    return Optional.of(
        clientChannels.computeIfAbsent(
            member.id(),
            id ->
                NettyChannelBuilder.forAddress(url.getHost(), url.getPort())
                    .usePlaintext()
                    .maxInboundMessageSize(limits.maxRequestBytes() + GRPC_OVERHEAD_BYTES)
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

  @Override
  public Duration electionTimeout() {
    return config.electionTimeout();
  }

  @Override
  public Duration progressNotifyInterval() {
    return config.progressNotifyInterval();
  }

  @Override
  public EventLoop loop() {
    return loop;
  }

  // ------------------------------------------------------------------ shutdown

  /**
   * SIGTERM's path: a leader hands leadership to a connected follower and waits (up to two election
   * timeouts) to see it go; the client servers stop taking calls and let running ones finish (up to
   * {@code grace}); the replica stops (what is still pending fails); the WAL flushes; the storage
   * closes.
   */
  public void stop(Duration grace) throws InterruptedException {
    LOG.info("{} stopping", logContext());
    transferLeadershipAway();
    for (Server server : clientServers) {
      server.shutdown();
    }
    long deadline = System.nanoTime() + grace.toNanos();
    for (Server server : clientServers) {
      long left = Math.max(0, deadline - System.nanoTime());
      if (!server.awaitTermination(left, TimeUnit.NANOSECONDS)) {
        server.shutdownNow();
      }
    }
    replica.stop();
    transport.close();
    loop.close(Duration.ofSeconds(5));
    groupCommit.close();
    storage.close();
    clientChannels.values().forEach(ManagedChannel::shutdownNow);
    NodeEventLoop.shutdown(workers);
    LOG.info("{} stopped", logContext());
  }

  private void transferLeadershipAway() throws InterruptedException {
    Duration wait = config.electionTimeout().multipliedBy(2);
    for (NodeId target : mostUpToDateFirst(transport.connectedPeers())) {
      if (status.role() != Role.LEADER) {
        return;
      }
      LOG.info("{} transferring leadership to {} before stopping", logContext(), target);
      try {
        replica.transferLeadership(target).get(wait.toMillis(), TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        LOG.warn("{} leadership transfer to {} refused: {}", logContext(), target, e.getMessage());
        continue;
      }
      long deadline = System.nanoTime() + wait.toNanos();
      while (System.nanoTime() < deadline) {
        RaftStatus now = fetchStatus();
        if (now.role() != Role.LEADER) {
          LOG.info("{} handed leadership over", logContext());
          return;
        }
        Thread.sleep(config.heartbeatInterval().toMillis());
      }
    }
  }

  /**
   * {@code peers}, the one that has applied the most first (each asked for its Maintenance.Status
   * over its client URL; one that does not answer within a second goes last). The core brings any
   * target up to date before handing over, but the nearest one is done soonest, so the cluster is
   * without a leader for the shortest time. (etcd picks the longest-connected member instead.)
   */
  private List<NodeId> mostUpToDateFirst(List<NodeId> peers) {
    if (status.role() != Role.LEADER || peers.size() < 2) {
      return peers;
    }
    Map<NodeId, Long> applied = new java.util.HashMap<>();
    for (NodeId peer : peers) {
      applied.put(peer, appliedIndexOf(peer));
    }
    List<NodeId> ranked = new ArrayList<>(peers);
    ranked.sort(java.util.Comparator.comparing(applied::get).reversed());
    LOG.info("{} followers by applied index: {}", logContext(), applied);
    return ranked;
  }

  /** {@code peer}'s applied index by its own Status, or -1 when it does not say. */
  private long appliedIndexOf(NodeId peer) {
    Optional<Channel> channel =
        members().stream()
            .filter(m -> m.raftId().equals(peer))
            .findFirst()
            .flatMap(this::clientChannel);
    if (channel.isEmpty()) {
      return -1;
    }
    try {
      return io.etcd.jetcd.api.MaintenanceGrpc.newBlockingStub(channel.get())
          .withDeadlineAfter(1, TimeUnit.SECONDS)
          .status(io.etcd.jetcd.api.StatusRequest.getDefaultInstance())
          .getRaftAppliedIndex();
    } catch (io.grpc.StatusRuntimeException e) {
      return -1;
    }
  }

  /** The replica's status read on the loop now, not as of the last tick. */
  private RaftStatus fetchStatus() throws InterruptedException {
    java.util.concurrent.CompletableFuture<RaftStatus> now =
        new java.util.concurrent.CompletableFuture<>();
    loop.execute(() -> now.complete(replica.raftStatus()));
    try {
      return now.get(5, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      return status;
    }
  }

  /** The durable log's outcomes: a full disk raises NOSPACE; anything fatal halts. */
  private record DiskOutcomes(AlarmState alarms) implements GroupCommitDurableLog.Outcomes {
    @Override
    public void diskFull(DiskFullException e) {
      alarms.raise(AlarmState.Type.NOSPACE, "the disk refused a write: " + e.getMessage());
    }

    @Override
    public void fatal(Throwable e) {
      GroupCommitDurableLog.Outcomes.HALT.fatal(e);
    }
  }
}
