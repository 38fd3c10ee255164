package io.raftkv.replica;

import io.raftkv.kv.Command;
import io.raftkv.kv.CommandCodec;
import io.raftkv.kv.KvException;
import io.raftkv.kv.KvSnapshot;
import io.raftkv.kv.KvStore;
import io.raftkv.kv.LeaseDeadlines;
import io.raftkv.kv.LeaseInfo;
import io.raftkv.kv.LeaseRevokeRequest;
import io.raftkv.kv.LeaseTimeToLive;
import io.raftkv.kv.RangeRequest;
import io.raftkv.kv.RangeResponse;
import io.raftkv.kv.Response;
import io.raftkv.kv.WatchRequest;
import io.raftkv.raft.Configuration;
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
import io.raftkv.raft.ReadState;
import io.raftkv.raft.Ready;
import io.raftkv.raft.Rng;
import io.raftkv.raft.Role;
import io.raftkv.raft.Snapshot;
import io.raftkv.storage.PersistBatch;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
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

  private record PendingWrite(long term, CompletableFuture<Response> future) {}

  private static final int LEASE_REVOKES_PER_TICK_MAX = 64;

  private record PendingRead(RangeRequest request, CompletableFuture<RangeResponse> future) {}

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
  private boolean snapshotting;
  private boolean stopped;
  private long lastSnapshotIndex;
  private long nextReadId;
  private EventLoop.Cancellable ticker;

  /** When the core's last tick was due by the loop's clock. */
  private long lastTickNanos;

  /** The leader's lessor: deadlines off the log, expiry onto it. Null unless leader. */
  private LeaseDeadlines leaseDeadlines;

  /** Leases whose revoke this leader proposed and has not seen applied yet. */
  private final Set<Long> revokesInFlight = new HashSet<>();

  /** Proposed writes by the index of their entry. */
  private final TreeMap<Long, PendingWrite> pendingWrites = new TreeMap<>();

  /** Linearizable reads waiting for the core to confirm a read index, by request id. */
  private final Map<Long, PendingRead> readsAwaitingIndex = new HashMap<>();

  /** Confirmed reads waiting for the state machine to apply through their read index. */
  private final TreeMap<Long, List<PendingRead>> readsAwaitingApply = new TreeMap<>();

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
        durable.snapshot().map(this::restoreState).orElseGet(() -> new KvStore(config.kvLimits()));
    this.lastSnapshotIndex = durable.snapshot().map(Snapshot::index).orElse(0L);
    this.node = new RaftNode(config.raft(), durable, rng, coreLog, coreBugs);
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
    if (pendingWrites.size() >= config.pendingWritesMax()) {
      future.completeExceptionally(
          new ReplicaException(
              ReplicaException.Kind.OVERLOADED,
              node.leader(),
              id + ": " + pendingWrites.size() + " writes pending"));
      return;
    }
    Command proposed =
        bugs.contains(ReplicaBug.SKIP_SESSION_CHECK)
            ? new Command(0, 0, command.request())
            : command;
    ProposeResult result = node.propose(CommandCodec.encode(proposed));
    switch (result) {
      case ProposeResult.Accepted accepted -> {
        pendingWrites.put(accepted.lastIndex(), new PendingWrite(accepted.term(), future));
        drive();
      }
      case ProposeResult.Rejected rejected -> future.completeExceptionally(toException(rejected));
    }
  }

  /** Reads a range at the given consistency. */
  public CompletableFuture<RangeResponse> read(RangeRequest request, Consistency consistency) {
    CompletableFuture<RangeResponse> future = new CompletableFuture<>();
    loop.execute(() -> startRead(new PendingRead(request, future), consistency));
    return future;
  }

  private void startRead(PendingRead read, Consistency consistency) {
    if (stopped) {
      read.future().completeExceptionally(stoppedException());
      return;
    }
    if (consistency == Consistency.SERIALIZABLE) {
      serve(read);
      return;
    }
    if (readsAwaitingIndex.size() >= config.pendingReadsMax()) {
      read.future()
          .completeExceptionally(
              new ReplicaException(
                  ReplicaException.Kind.OVERLOADED,
                  node.leader(),
                  id + ": too many reads pending"));
      return;
    }
    // A lease is judged against the clock as it is now, not as of the last timer that fired.
    catchUpTicks();
    long requestId = ++nextReadId;
    Optional<ProposeResult.Rejected> rejected = node.readIndex(requestId);
    if (rejected.isPresent()) {
      read.future().completeExceptionally(toException(rejected.get()));
      return;
    }
    readsAwaitingIndex.put(requestId, read);
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
          pendingWrites.values().forEach(w -> w.future().completeExceptionally(failure));
          pendingWrites.clear();
          readsAwaitingIndex.values().forEach(r -> r.future().completeExceptionally(failure));
          readsAwaitingIndex.clear();
          readsAwaitingApply
              .values()
              .forEach(list -> list.forEach(r -> r.future().completeExceptionally(failure)));
          readsAwaitingApply.clear();
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

  /** The state machine's compact revision (etcd's). Call on the event loop. */
  public long compactRevision() {
    return kv.compactRevision();
  }

  /** Every lease of the state machine, in id order (etcd's LeaseLeases). Call on the event loop. */
  public List<LeaseInfo> leases() {
    return kv.leases();
  }

  /**
   * A point-in-time image of the state machine, taken on the loop (cheap: it pins the immutable
   * version chains) and written or hashed from any thread (etcd's Maintenance.Snapshot and HashKV).
   * The caller must close it: physical compaction waits while it is open.
   */
  public CompletableFuture<KvSnapshot> stateImage() {
    CompletableFuture<KvSnapshot> future = new CompletableFuture<>();
    loop.execute(
        () -> {
          if (stopped) {
            future.completeExceptionally(stoppedException());
          } else {
            future.complete(kv.snapshot());
          }
        });
    return future;
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
                expireLeases();
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

  /**
   * The leader proposes a revoke for every lease past its deadline; expiry thus reaches every
   * replica through the log, in the same place, and no state machine ever reads a clock.
   */
  private void expireLeases() {
    if (node.role() != Role.LEADER) {
      leaseDeadlines = null;
      revokesInFlight.clear();
      return;
    }
    if (leaseDeadlines == null) {
      leaseDeadlines = new LeaseDeadlines(kv);
      leaseDeadlines.promote(loop.nanoTime());
    }
    for (long leaseId : leaseDeadlines.expired(loop.nanoTime(), LEASE_REVOKES_PER_TICK_MAX)) {
      if (revokesInFlight.add(leaseId)) {
        CompletableFuture<Response> revoke = new CompletableFuture<>();
        revoke.whenComplete((response, failure) -> revokesInFlight.remove(leaseId));
        propose(Command.of(new LeaseRevokeRequest(leaseId)), revoke);
      }
    }
  }

  /** etcd's LeaseKeepAlive, served by the leader's lessor: returns the TTL in seconds. */
  public CompletableFuture<Long> leaseKeepAlive(long leaseId) {
    CompletableFuture<Long> future = new CompletableFuture<>();
    loop.execute(() -> withLessor(future, lessor -> lessor.keepAlive(leaseId, loop.nanoTime())));
    return future;
  }

  /** etcd's LeaseTimeToLive, from the leader's lessor. */
  public CompletableFuture<LeaseTimeToLive> leaseTimeToLive(long leaseId, boolean withKeys) {
    CompletableFuture<LeaseTimeToLive> future = new CompletableFuture<>();
    loop.execute(
        () -> withLessor(future, lessor -> lessor.timeToLive(leaseId, withKeys, loop.nanoTime())));
    return future;
  }

  private <T> void withLessor(
      CompletableFuture<T> future, java.util.function.Function<LeaseDeadlines, T> action) {
    if (stopped) {
      future.completeExceptionally(stoppedException());
    } else if (node.role() != Role.LEADER || leaseDeadlines == null) {
      future.completeExceptionally(ReplicaException.notLeader(id, node.leader()));
    } else {
      try {
        future.complete(action.apply(leaseDeadlines));
      } catch (KvException e) {
        future.completeExceptionally(e);
      }
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
    for (ReadState confirmed : ready.readsReady()) {
      PendingRead read = readsAwaitingIndex.remove(confirmed.requestId());
      if (read != null) {
        readsAwaitingApply.computeIfAbsent(confirmed.readIndex(), i -> new ArrayList<>()).add(read);
      }
    }
    for (long aborted : ready.readsAborted()) {
      PendingRead read = readsAwaitingIndex.remove(aborted);
      if (read != null) {
        read.future().completeExceptionally(ReplicaException.notLeader(id, node.leader()));
      }
    }
    node.advance(ready);
    serveAppliedReads();
    maybeSnapshot();
  }

  private void apply(Entry entry) {
    Response response =
        entry.type() == EntryType.COMMAND ? kv.apply(entry.index(), entry.data()) : null;
    PendingWrite pending = pendingWrites.remove(entry.index());
    if (pending == null) {
      return;
    }
    if (pending.term() == entry.term() && response != null) {
      pending.future().complete(response);
    } else {
      pending
          .future()
          .completeExceptionally(
              new ReplicaException(
                  ReplicaException.Kind.DROPPED,
                  node.leader(),
                  id
                      + ": entry "
                      + entry.index()
                      + " of term "
                      + pending.term()
                      + " was replaced by one of term "
                      + entry.term()));
    }
  }

  private void serveAppliedReads() {
    long applied = node.appliedIndex();
    while (!readsAwaitingApply.isEmpty() && readsAwaitingApply.firstKey() <= applied) {
      readsAwaitingApply.pollFirstEntry().getValue().forEach(this::serve);
    }
  }

  private void serve(PendingRead read) {
    try {
      read.future().complete(kv.range(read.request()));
    } catch (KvException e) {
      read.future().completeExceptionally(e);
    }
  }

  // ------------------------------------------------------------------ snapshots

  /** A leader's snapshot replaced our log: restore from it. */
  private void install(Snapshot snapshot) {
    kv = restoreState(snapshot);
    watches.restored(kv);
    leaseDeadlines = null; // bound to the old store; rebuilt on the next tick if leader
    lastSnapshotIndex = snapshot.index();
    // Writes whose entries the snapshot covers may or may not be in it: we cannot tell.
    while (!pendingWrites.isEmpty() && pendingWrites.firstKey() <= snapshot.index()) {
      pendingWrites
          .pollFirstEntry()
          .getValue()
          .future()
          .completeExceptionally(
              new ReplicaException(
                  ReplicaException.Kind.OUTCOME_UNKNOWN,
                  node.leader(),
                  id + ": a snapshot through " + snapshot.index() + " replaced the log"));
    }
  }

  private KvStore restoreState(Snapshot snapshot) {
    try {
      return KvStore.restore(new ByteArrayInputStream(snapshot.data()), config.kvLimits());
    } catch (IOException e) {
      throw new UncheckedIOException(
          id + ": snapshot " + snapshot.index() + " does not restore", e);
    }
  }

  /**
   * Snapshot policy: every {@code snapshotEveryEntries} applied entries. The image is durable
   * before the core may drop the log prefix, so a crash in between keeps the full log.
   */
  private void maybeSnapshot() {
    long applied = node.appliedIndex();
    if (snapshotting || applied - lastSnapshotIndex < config.snapshotEveryEntries()) {
      return;
    }
    Optional<Entry> last = node.entry(applied);
    if (last.isEmpty()) {
      // A leader's snapshot replaced the log while the batch that applied through here was
      // being persisted (simulator, seed 105): that snapshot covers this point already.
      return;
    }
    // Taking the image is cheap and pins this point in time; writing it out is not, and goes
    // off the loop so that a large state machine does not hold up heartbeats (the image is
    // written from the immutable version chains while applies go on).
    KvSnapshot image = kv.snapshot();
    long term = last.get().term();
    Configuration configuration = node.configuration();
    snapshotting = true;
    loop.offload(
        () -> {
          byte[] bytes;
          try {
            bytes = encode(image);
          } catch (RuntimeException e) {
            // A worker's failure belongs to the loop: left on the worker, it would only leave
            // snapshotting set, and this replica would never snapshot again.
            loop.execute(
                () -> {
                  snapshotting = false;
                  throw e;
                });
            return;
          }
          loop.execute(() -> saveSnapshot(new Snapshot(applied, term, configuration, bytes)));
        });
  }

  private void saveSnapshot(Snapshot snapshot) {
    if (stopped || snapshot.index() <= node.snapshot().map(Snapshot::index).orElse(0L)) {
      // Stopped, or a leader's snapshot covered this point while the image was written.
      snapshotting = false;
      return;
    }
    durableLog.saveSnapshot(
        snapshot,
        () -> {
          snapshotting = false;
          if (!stopped && snapshot.index() > node.snapshot().map(Snapshot::index).orElse(0L)) {
            node.compact(snapshot.index(), snapshot.data());
            lastSnapshotIndex = snapshot.index();
          }
        });
  }

  private byte[] encode(KvSnapshot image) {
    try (image) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      image.writeTo(out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(id + ": snapshot of the state machine failed", e);
    }
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
