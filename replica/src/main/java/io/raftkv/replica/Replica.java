package io.raftkv.replica;

import io.raftkv.kv.Command;
import io.raftkv.kv.KvStore;
import io.raftkv.kv.LeaseTimeToLive;
import io.raftkv.kv.RangeRequest;
import io.raftkv.kv.RangeResponse;
import io.raftkv.kv.Response;
import io.raftkv.kv.WatchRequest;
import io.raftkv.raft.CoreBug;
import io.raftkv.raft.CoreLog;
import io.raftkv.raft.DurableState;
import io.raftkv.raft.Entry;
import io.raftkv.raft.EntryType;
import io.raftkv.raft.Message;
import io.raftkv.raft.NodeId;
import io.raftkv.raft.ProposeResult;
import io.raftkv.raft.RaftNode;
import io.raftkv.raft.RaftStatus;
import io.raftkv.raft.Ready;
import io.raftkv.raft.Rng;
import io.raftkv.raft.Snapshot;
import io.raftkv.storage.PersistBatch;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One node: drives the Raft core, the durable log and the key-value state machine through its seams
 * ({@link EventLoop}, {@link Transport}, {@link DurableLog}). Every method hops onto the event
 * loop; every future completes on it. A thin driver: {@link #drive()} and {@link #completeReady}
 * hand each part of a Ready to the component that owns its state (docs/replica.md).
 */
public final class Replica {
  /** How current a read must be. */
  public enum Consistency {
    /** Reflects every write acknowledged before the read began (ReadIndex or lease). */
    LINEARIZABLE,
    /** This node's applied state, possibly behind (etcd's {@code --consistency=s}). */
    SERIALIZABLE
  }

  private final ReplicaConfig config;
  private final EventLoop loop;
  private final Transport transport;
  private final DurableLog durableLog;
  final RaftNode node; // package-private for SimulatorDoor.core only
  private final Set<ReplicaBug> bugs;
  private final TickClock clock;
  private final PendingWrites writes;
  private final PendingReads reads;
  private final Lessor lessor;
  private final Snapshotter snapshotter;
  private final WatchStreams watches;
  private KvStore kv;
  private boolean persisting;
  private boolean stopped;

  /** Use {@link #start}; the simulator's door adds bugs, then calls {@link #begin}. */
  Replica(
      ReplicaConfig config,
      EventLoop loop,
      Transport transport,
      DurableLog durableLog,
      Rng rng,
      CoreLog coreLog,
      Set<CoreBug> coreBugs,
      Set<ReplicaBug> bugs) {
    this.bugs = Set.copyOf(bugs);
    this.config = config;
    this.loop = loop;
    this.transport = transport;
    this.durableLog = durableLog;
    DurableState durable = durableLog.recovered();
    this.kv = Snapshotter.recover(config.raft().id(), durable, config.kvLimits());
    this.node = new RaftNode(config.raft(), durable, rng, coreLog, coreBugs);
    this.clock = new TickClock(loop, node, config, () -> stopped);
    this.writes = new PendingWrites(config, node, loop, bugs);
    this.reads = new PendingReads(config, node, loop, clock);
    this.lessor = new Lessor(node, loop);
    this.snapshotter = new Snapshotter(loop, durableLog, node, config, () -> stopped);
    this.watches = new WatchStreams(loop, bugs);
  }

  /** Builds the replica from what {@code durableLog} recovered; ticks start on the loop. */
  public static Replica start(
      ReplicaConfig config,
      EventLoop loop,
      Transport transport,
      DurableLog durableLog,
      Rng rng,
      CoreLog coreLog) {
    return new Replica(config, loop, transport, durableLog, rng, coreLog, Set.of(), Set.of())
        .begin();
  }

  /** Starts the tick timer, as the replica's first task on the loop. */
  Replica begin() {
    loop.execute(() -> clock.start(this::afterTicks));
    return this;
  }

  private void afterTicks() {
    drive();
    lessor.tick(kv, this::propose);
  }

  public NodeId id() {
    return node.id();
  }

  /** A message from a peer. */
  public void receive(Message message) {
    loop.execute(
        () -> {
          if (!stopped) {
            node.step(message);
            drive();
          }
        });
  }

  /**
   * Proposes {@code command} (with its session, if any): completes with the state machine's
   * response once applied; fails fast with a {@link ReplicaException} (not leader, overloaded, ...)
   * or a {@code KvException} (invalid whatever the state).
   */
  public CompletableFuture<Response> write(Command command) {
    return onLoopUnlessStopped(future -> propose(command, future));
  }

  private void propose(Command command, CompletableFuture<Response> future) {
    if (writes.propose(command, kv, future)) {
      drive();
    }
  }

  /** Reads a range at the given consistency. */
  public CompletableFuture<RangeResponse> read(RangeRequest request, Consistency consistency) {
    return onLoopUnlessStopped(
        future -> {
          if (reads.start(request, consistency, future, kv)) {
            drive();
          }
        });
  }

  /**
   * etcd's Watch, from this replica's applied state, from {@code request.startRevision()} (0: the
   * next write). {@code observer} hears every revision of the range in order on the loop, then once
   * how the stream ended ({@link WatchEnd}). A follower's stream lags its applies.
   */
  public WatchStream watch(WatchRequest request, WatchObserver observer) {
    return watches.watch(request, observer, () -> kv);
  }

  /** Asks the core to hand leadership to {@code target} (thesis §3.10). */
  public CompletableFuture<Void> transferLeadership(NodeId target) {
    CompletableFuture<Void> future = new CompletableFuture<>();
    loop.execute(
        () -> {
          Optional<ProposeResult.Rejected> rejected = node.transferLeadership(target);
          if (rejected.isPresent()) {
            future.completeExceptionally(ReplicaException.refused(config.raft(), rejected.get()));
          } else {
            drive();
            future.complete(null);
          }
        });
    return future;
  }

  /** etcd's LeaseKeepAlive, served by the leader's lessor: returns the TTL in seconds. */
  public CompletableFuture<Long> leaseKeepAlive(long leaseId) {
    return onLoopUnlessStopped(future -> lessor.keepAlive(leaseId, future));
  }

  /** etcd's LeaseTimeToLive, from the leader's lessor. */
  public CompletableFuture<LeaseTimeToLive> leaseTimeToLive(long leaseId, boolean withKeys) {
    return onLoopUnlessStopped(future -> lessor.timeToLive(leaseId, withKeys, future));
  }

  /**
   * Stops the replica: no more ticks or messages; everything in flight fails as indeterminate. What
   * is durable stays durable; a new replica on the same {@link DurableLog} recovers it.
   */
  public void stop() {
    loop.execute(
        () -> {
          if (!stopped) {
            stopped = true;
            clock.stop();
            ReplicaException failure = ReplicaException.stopped(node.id());
            writes.failAll(failure);
            reads.failAll(failure);
            watches.endAll(WatchEnd.stopped(node.id()));
          }
        });
  }

  /** The core's view of this node. Call on the event loop (tests and the simulator do). */
  public RaftStatus raftStatus() {
    return node.status();
  }

  /** The core's view and every component's, for metrics. Call on the event loop. */
  public ReplicaStatus status() {
    long nowNanos = loop.nanoTime();
    return new ReplicaStatus(
        node.status(),
        stopped,
        kv.revision(),
        clock.ticksOwed(),
        writes.status(nowNanos),
        reads.status(nowNanos),
        lessor.status(),
        snapshotter.status(),
        watches.status());
  }

  /** Ticks due, not yet given to the core (checkers judge a lease at 0). On the loop. */
  public long ticksOwed() {
    return clock.ticksOwed();
  }

  /** The state machine's revision. Call on the event loop. */
  public long revision() {
    return kv.revision();
  }

  /**
   * Runs Ready batches until the core is quiet or a batch waits for the disk. One batch is
   * persisted at a time; what arrives meanwhile forms the next: group commit, out of the core's
   * interface.
   */
  private void drive() {
    while (!stopped && !persisting && node.hasReady()) {
      Ready ready = node.ready();
      ready.sendNow().forEach(transport::send);
      if (ready.needsPersistence() && bugs.contains(ReplicaBug.ACK_BEFORE_FSYNC)) {
        durableLog.persist(PersistBatch.of(ready), () -> {});
      } else if (ready.needsPersistence()) {
        persisting = true;
        durableLog.persist(
            PersistBatch.of(ready),
            () -> {
              persisting = false;
              if (!stopped) {
                completeReady(ready);
                drive();
              }
            });
        return;
      }
      completeReady(ready);
    }
  }

  /** Everything after the fsync: acknowledgements, installing, applying, reads, advance. */
  private void completeReady(Ready ready) {
    ready.sendAfterPersist().forEach(transport::send);
    ready.snapshotToInstall().ifPresent(this::install);
    for (Entry entry : ready.committed()) {
      Response response =
          entry.type() == EntryType.COMMAND ? kv.apply(entry.index(), entry.data()) : null;
      writes.applied(entry, response);
    }
    reads.indexesSettled(ready.readsReady(), ready.readsAborted());
    node.advance(ready);
    reads.serveApplied(node.appliedIndex(), kv);
    snapshotter.maybeSnapshot(kv);
  }

  /** A leader's snapshot replaced our log: every component moves to the state machine in it. */
  private void install(Snapshot snapshot) {
    kv = snapshotter.install(snapshot);
    watches.restored(kv);
    lessor.stateMachineReplaced();
    writes.coveredBySnapshot(snapshot.index());
  }

  /** Runs {@code task} on the loop with a new future, which fails at once if stopped. */
  private <T> CompletableFuture<T> onLoopUnlessStopped(Consumer<CompletableFuture<T>> task) {
    CompletableFuture<T> future = new CompletableFuture<>();
    loop.execute(
        () -> {
          if (stopped) {
            future.completeExceptionally(ReplicaException.stopped(node.id()));
          } else {
            task.accept(future);
          }
        });
    return future;
  }
}
