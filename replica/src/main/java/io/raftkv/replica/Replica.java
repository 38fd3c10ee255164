package io.raftkv.replica;

import io.raftkv.kv.Command;
import io.raftkv.kv.CommandCodec;
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
import io.raftkv.raft.Role;
import io.raftkv.raft.Snapshot;
import io.raftkv.replica.PendingReads.PendingRead;
import io.raftkv.storage.PersistBatch;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * One node: drives the Raft core, the durable log and the key-value state machine, and talks to the
 * world only through its seams ({@link EventLoop}, {@link Transport}, {@link DurableLog}). Every
 * method hops onto the event loop; every future completes on it.
 *
 * <p>The write path: {@link #write} proposes the encoded command; the core's appends leave at once
 * while the leader's own copy goes to the durable log; once durable, acknowledgements leave and
 * committed entries are applied in order; the future of the entry at its index completes with the
 * state machine's response. Reads: linearizable through ReadIndex or the lease (the core decides),
 * then served once applied through the read index; serializable from local state.
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
  private final WatchStreams watches;
  private KvStore kv;
  private boolean persisting;
  private boolean stopped;
  private EventLoop.Cancellable ticker;

  /** When the core's last tick was due by the loop's clock. */
  private long lastTickNanos;

  private final Lessor lessor;
  private final Snapshotter snapshotter;

  private final PendingWrites writes;

  private final PendingReads reads;

  private Replica(
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
    this.kv =
        durable
            .snapshot()
            .map(snapshot -> Snapshotter.restore(id, snapshot, config.kvLimits()))
            .orElseGet(() -> new KvStore(config.kvLimits()));
    this.node = new RaftNode(config.raft(), durable, rng, coreLog, coreBugs);
    this.writes = new PendingWrites(id, config.pendingWritesMax(), node::leader);
    this.reads = new PendingReads(id, config.pendingReadsMax(), node::leader);
    this.lessor = new Lessor(id, loop, () -> node.role() == Role.LEADER, node::leader);
    long recoveredSnapshotIndex = durable.snapshot().map(Snapshot::index).orElse(0L);
    this.snapshotter =
        new Snapshotter(id, loop, durableLog, node, config, recoveredSnapshotIndex, () -> stopped);
    this.watches = new WatchStreams(this.bugs.contains(ReplicaBug.WATCH_SKIPS_RESTORED_REVISIONS));
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
    return startWithBugs(config, loop, transport, durableLog, rng, coreLog, Set.of(), Set.of());
  }

  /**
   * A replica with deliberate bugs in its core and in itself, for the simulator's proof that it
   * catches them. Never used by a server.
   */
  public static Replica startWithBugs(
      ReplicaConfig config,
      EventLoop loop,
      Transport transport,
      DurableLog durableLog,
      Rng rng,
      CoreLog coreLog,
      Set<CoreBug> coreBugs,
      Set<ReplicaBug> bugs) {
    Replica replica =
        new Replica(config, loop, transport, durableLog, rng, coreLog, coreBugs, bugs);
    loop.execute(
        () -> {
          replica.lastTickNanos = loop.nanoTime();
          replica.scheduleTick();
        });
    return replica;
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
    CompletableFuture<Response> future = new CompletableFuture<>();
    loop.execute(() -> propose(command, future));
    return future;
  }

  private void propose(Command command, CompletableFuture<Response> future) {
    if (stopped) {
      future.completeExceptionally(stoppedException());
      return;
    }
    try {
      kv.check(command.request());
    } catch (KvException e) {
      future.completeExceptionally(e);
      return;
    }
    Optional<ReplicaException> overloaded = writes.overloaded();
    if (overloaded.isPresent()) {
      future.completeExceptionally(overloaded.get());
      return;
    }
    Command proposed =
        bugs.contains(ReplicaBug.SKIP_SESSION_CHECK)
            ? new Command(0, 0, command.request())
            : command;
    ProposeResult result = node.propose(CommandCodec.encode(proposed));
    switch (result) {
      case ProposeResult.Accepted accepted -> {
        writes.proposed(accepted, future, loop.nanoTime());
        drive();
      }
      case ProposeResult.Rejected rejected -> future.completeExceptionally(toException(rejected));
    }
  }

  /** Reads a range at the given consistency. */
  public CompletableFuture<RangeResponse> read(RangeRequest request, Consistency consistency) {
    CompletableFuture<RangeResponse> future = new CompletableFuture<>();
    loop.execute(() -> startRead(new PendingRead(request, loop.nanoTime(), future), consistency));
    return future;
  }

  private void startRead(PendingRead read, Consistency consistency) {
    if (stopped) {
      read.future().completeExceptionally(stoppedException());
      return;
    }
    if (consistency == Consistency.SERIALIZABLE) {
      read.serve(kv);
      return;
    }
    Optional<ReplicaException> overloaded = reads.overloaded();
    if (overloaded.isPresent()) {
      read.future().completeExceptionally(overloaded.get());
      return;
    }
    // A lease is judged against the clock as it is now, not as of the last timer that fired.
    catchUpTicks();
    long requestId = reads.nextRequestId();
    Optional<ProposeResult.Rejected> rejected = node.readIndex(requestId);
    if (rejected.isPresent()) {
      read.future().completeExceptionally(toException(rejected.get()));
      return;
    }
    reads.awaitIndex(requestId, read);
    drive();
  }

  /**
   * Watches a key or range from this replica's applied state (etcd's Watch, served by the member
   * the client is connected to): from {@code request.startRevision()} (a past one replays history),
   * or from the next write when it is 0. {@code observer} hears, on the loop, every revision of the
   * range in order as entries apply, and once how the stream ended: compacted, stopped, canceled or
   * refused ({@link WatchEnd}). A follower's stream lags its applies.
   */
  public WatchStream watch(WatchRequest request, WatchObserver observer) {
    WatchStream stream = new WatchStream(request, observer, loop, watches);
    loop.execute(
        () -> {
          if (stopped) {
            stream.end(watchStopped());
          } else {
            watches.open(kv, stream);
          }
        });
    return stream;
  }

  /** Asks the core to hand leadership to {@code target} (thesis §3.10). */
  public CompletableFuture<Void> transferLeadership(NodeId target) {
    CompletableFuture<Void> future = new CompletableFuture<>();
    loop.execute(
        () -> {
          Optional<ProposeResult.Rejected> rejected = node.transferLeadership(target);
          if (rejected.isPresent()) {
            future.completeExceptionally(toException(rejected.get()));
          } else {
            drive();
            future.complete(null);
          }
        });
    return future;
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
          if (ticker != null) {
            ticker.cancel();
          }
          ReplicaException failure = stoppedException();
          writes.failAll(failure);
          reads.failAll(failure);
          watches.endAll(watchStopped());
        });
  }

  /** The core's view of this node. Call on the event loop (tests and the simulator do). */
  public RaftStatus raftStatus() {
    return node.status();
  }

  /**
   * The Raft core itself, for the simulator's invariant checks (SafetyChecker: election safety, log
   * matching, committed entries never change). Read it between events only; never mutate it, never
   * call its inputs ({@code step}, {@code tick}, {@code propose}, ...).
   */
  public RaftNode coreForInspection() {
    return node;
  }

  /** Watch streams open on this replica. Call on the event loop. */
  public int watchCount() {
    return watches.count();
  }

  /** The state machine's revision. Call on the event loop. */
  /**
   * Ticks the monotonic clock says are due and the core has not been given yet (a timer not yet
   * fired, a pause not yet caught up); for checkers, which judge the core's lease only when its
   * count of ticks is as current as a read would make it.
   */
  public long ticksOwed() {
    return (loop.nanoTime() - lastTickNanos) / config.tick().toNanos();
  }

  public long revision() {
    return kv.revision();
  }

  public boolean isStopped() {
    return stopped;
  }

  // ------------------------------------------------------------------ the Ready cycle

  private void scheduleTick() {
    if (stopped) {
      return;
    }
    ticker =
        loop.schedule(
            config.tick(),
            () -> {
              if (!stopped) {
                catchUpTicks();
                drive();
                lessor.tick(kv, this::propose);
                scheduleTick();
              }
            });
  }

  /**
   * Gives the core every tick the monotonic clock says is due. A timer that fires late (a GC pause,
   * a stalled loop) must not slow the core's clock down: leases and check-quorum are counted in
   * ticks, and a leader that lost time would think its lease still valid (simulator, seed 20).
   * Beyond a few election timeouts more ticks change nothing, so the catch-up is bounded.
   */
  private void catchUpTicks() {
    long tickNanos = config.tick().toNanos();
    long due = ticksOwed();
    long bound = 4L * config.raft().electionTimeoutTicks();
    for (long i = 0; i < Math.min(due, bound); i++) {
      node.tick();
    }
    lastTickNanos = due > bound ? loop.nanoTime() : lastTickNanos + due * tickNanos;
  }

  /** etcd's LeaseKeepAlive, served by the leader's lessor: returns the TTL in seconds. */
  public CompletableFuture<Long> leaseKeepAlive(long leaseId) {
    CompletableFuture<Long> future = new CompletableFuture<>();
    loop.execute(() -> withLessor(future, () -> lessor.keepAlive(leaseId, future)));
    return future;
  }

  /** etcd's LeaseTimeToLive, from the leader's lessor. */
  public CompletableFuture<LeaseTimeToLive> leaseTimeToLive(long leaseId, boolean withKeys) {
    CompletableFuture<LeaseTimeToLive> future = new CompletableFuture<>();
    loop.execute(() -> withLessor(future, () -> lessor.timeToLive(leaseId, withKeys, future)));
    return future;
  }

  private <T> void withLessor(CompletableFuture<T> future, Runnable action) {
    if (stopped) {
      future.completeExceptionally(stoppedException());
    } else {
      action.run();
    }
  }

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
      apply(entry);
    }
    reads.confirmed(ready.readsReady());
    reads.aborted(ready.readsAborted());
    node.advance(ready);
    reads.serveApplied(node.appliedIndex(), kv);
    snapshotter.maybeSnapshot(kv);
  }

  private void apply(Entry entry) {
    Response response =
        entry.type() == EntryType.COMMAND ? kv.apply(entry.index(), entry.data()) : null;
    writes.applied(entry, response);
  }

  // ------------------------------------------------------------------ snapshots

  /** A leader's snapshot replaced our log: restore from it. */
  private void install(Snapshot snapshot) {
    kv = snapshotter.install(snapshot);
    watches.restored(kv);
    lessor.stateMachineReplaced();
    writes.coveredBySnapshot(snapshot.index());
  }

  // ------------------------------------------------------------------ errors

  private ReplicaException toException(ProposeResult.Rejected rejected) {
    return switch (rejected.reason()) {
      case NOT_LEADER -> ReplicaException.notLeader(id, rejected.leaderHint());
      case TRANSFERRING_LEADERSHIP ->
          new ReplicaException(
              ReplicaException.Kind.TRANSFERRING_LEADERSHIP,
              rejected.leaderHint(),
              id + ": leadership is being transferred");
      case OVERLOADED ->
          new ReplicaException(
              ReplicaException.Kind.OVERLOADED, rejected.leaderHint(), id + ": overloaded");
      case TOO_LARGE ->
          new ReplicaException(
              ReplicaException.Kind.TOO_LARGE,
              rejected.leaderHint(),
              id + ": entry larger than " + config.raft().entryBytesMax() + " bytes");
      case UNKNOWN_NODE ->
          new ReplicaException(
              ReplicaException.Kind.NOT_LEADER, rejected.leaderHint(), id + ": unknown node");
    };
  }

  private WatchEnd watchStopped() {
    return new WatchEnd(WatchEnd.Reason.STOPPED, 0, id + ": stopped");
  }

  private ReplicaException stoppedException() {
    return new ReplicaException(ReplicaException.Kind.STOPPED, NodeId.NONE, id + ": stopped");
  }
}
