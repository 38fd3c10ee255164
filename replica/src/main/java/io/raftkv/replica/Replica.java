package io.raftkv.replica;

import io.raftkv.kv.Command;
import io.raftkv.kv.KvException;
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
import io.raftkv.replica.PendingReads.PendingRead;
import io.raftkv.storage.PersistBatch;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One node: drives the Raft core, the durable log and the key-value state machine, and talks to the
 * world only through its seams ({@link EventLoop}, {@link Transport}, {@link DurableLog}). Every
 * method hops onto the event loop; every future completes on it.
 *
 * <p>A thin driver: it owns the loop hand-off, {@link #drive()} and {@link #completeReady}, and
 * gives each part of a Ready to the component that owns its state ({@link PendingWrites}, {@link
 * PendingReads}, {@link Lessor}, {@link Snapshotter}, {@link WatchStreams}); {@link #status()}
 * gathers their status records. docs/replica.md describes the write and read paths.
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
  private final NodeId id;
  private final RaftNode node;
  private final EnumSet<ReplicaBug> bugs;
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
    this.bugs = bugs.isEmpty() ? EnumSet.noneOf(ReplicaBug.class) : EnumSet.copyOf(bugs);
    this.config = config;
    this.loop = loop;
    this.transport = transport;
    this.durableLog = durableLog;
    this.id = config.raft().id();
    DurableState durable = durableLog.recovered();
    this.kv = Snapshotter.recover(id, durable, config.kvLimits());
    this.node = new RaftNode(config.raft(), durable, rng, coreLog, coreBugs);
    this.clock = new TickClock(loop, node, config, () -> stopped);
    boolean skipSession = this.bugs.contains(ReplicaBug.SKIP_SESSION_CHECK);
    this.writes = new PendingWrites(config, node, loop, skipSession);
    this.reads = new PendingReads(config, node, clock);
    this.lessor = new Lessor(node, loop);
    this.snapshotter = new Snapshotter(loop, durableLog, node, config, () -> stopped);
    boolean skipRestored = this.bugs.contains(ReplicaBug.WATCH_SKIPS_RESTORED_REVISIONS);
    this.watches = new WatchStreams(loop, skipRestored);
  }

  /**
   * Builds the replica from what {@code durableLog} recovered and starts its tick timer on {@code
   * loop}.
   */
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
    loop.execute(
        () ->
            clock.start(
                () -> {
                  drive();
                  lessor.tick(kv, this::propose);
                }));
    return this;
  }

  public NodeId id() {
    return id;
  }

  // ------------------------------------------------------------------ inputs

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
   * Proposes {@code command} (with its client session and sequence, if any). Completes with the
   * state machine's response once applied; fails fast with a {@link ReplicaException} when this
   * node cannot take it (not leader, overloaded, ...), or with a {@link KvException} when the
   * request is invalid whatever the state.
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
          if (reads.start(new PendingRead(request, loop.nanoTime(), future), consistency, kv)) {
            drive();
          }
        });
  }

  /**
   * Watches a key or range from this replica's applied state (etcd's Watch, served by the member
   * the client is connected to): from {@code request.startRevision()} (a past one replays history),
   * or from the next write when it is 0. {@code observer} hears, on the loop, every revision of the
   * range in order as entries apply, and once how the stream ended: compacted, stopped, canceled or
   * refused ({@link WatchEnd}). A follower's stream lags its applies.
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
            long entryBytesMax = config.raft().entryBytesMax();
            future.completeExceptionally(
                ReplicaException.refused(id, rejected.get(), entryBytesMax));
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
          if (stopped) {
            return;
          }
          stopped = true;
          clock.stop();
          ReplicaException failure = ReplicaException.stopped(id);
          writes.failAll(failure);
          reads.failAll(failure);
          watches.endAll(WatchEnd.stopped(id));
        });
  }

  // ------------------------------------------------------------------ status (on the loop)

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

  /**
   * Ticks due and not yet given to the core; checkers judge a lease only when it is 0 (see {@link
   * TickClock}). Call on the event loop.
   */
  public long ticksOwed() {
    return clock.ticksOwed();
  }

  /** The state machine's revision. Call on the event loop. */
  public long revision() {
    return kv.revision();
  }

  public boolean isStopped() {
    return stopped;
  }

  /** The core, for {@link SimulatorDoor#core} only. */
  RaftNode core() {
    return node;
  }

  // ------------------------------------------------------------------ the Ready cycle

  /**
   * Runs Ready batches until the core is quiet or a batch waits for the disk. One batch is
   * persisted at a time; proposals and messages arriving meanwhile form the next batch, which is
   * how group commit falls out of the core's interface.
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
    reads.confirmed(ready.readsReady());
    reads.aborted(ready.readsAborted());
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

  // ------------------------------------------------------------------ helpers

  /** Runs {@code task} on the loop with a new future, which fails at once if stopped. */
  private <T> CompletableFuture<T> onLoopUnlessStopped(Consumer<CompletableFuture<T>> task) {
    CompletableFuture<T> future = new CompletableFuture<>();
    loop.execute(
        () -> {
          if (stopped) {
            future.completeExceptionally(ReplicaException.stopped(id));
          } else {
            task.accept(future);
          }
        });
    return future;
  }
}
