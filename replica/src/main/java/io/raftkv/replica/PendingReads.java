package io.raftkv.replica;

import io.raftkv.kv.KvException;
import io.raftkv.kv.KvStore;
import io.raftkv.kv.RangeRequest;
import io.raftkv.kv.RangeResponse;
import io.raftkv.raft.NodeId;
import io.raftkv.raft.ProposeResult;
import io.raftkv.raft.RaftConfig;
import io.raftkv.raft.RaftNode;
import io.raftkv.raft.ReadState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * The read path: a serializable read is served at once; a linearizable one asks the core for a read
 * index and waits twice, for the core to confirm the index (by request id), then for the state
 * machine to apply through it (by read index). Bounded by {@code pendingReadsMax} reads awaiting
 * their index. On the loop only.
 */
final class PendingReads {
  /** A read asked for on the loop at {@code startedAtNanos}. */
  private record PendingRead(
      RangeRequest request, long startedAtNanos, CompletableFuture<RangeResponse> future) {

    /** Answers from {@code kv} as it is now. */
    void serve(KvStore kv) {
      try {
        future.complete(kv.range(request));
      } catch (KvException e) {
        future.completeExceptionally(e);
      }
    }
  }

  private final NodeId id;
  private final int countMax;
  private final RaftConfig raft;
  private final RaftNode node;
  private final EventLoop loop;
  private final TickClock clock;
  private long lastRequestId;

  private final Map<Long, PendingRead> awaitingIndex = new HashMap<>();
  private final TreeMap<Long, List<PendingRead>> awaitingApply = new TreeMap<>();

  PendingReads(ReplicaConfig config, RaftNode node, EventLoop loop, TickClock clock) {
    this.id = config.raft().id();
    this.countMax = config.pendingReadsMax();
    this.raft = config.raft();
    this.node = node;
    this.loop = loop;
    this.clock = clock;
  }

  /**
   * Serves a serializable read from {@code kv} at once; asks the core for a linearizable one's read
   * index, or fails {@code future} ({@code OVERLOADED}, or why the core refused). True when the
   * core was asked: the caller then drives the core.
   */
  boolean start(
      RangeRequest request,
      Replica.Consistency consistency,
      CompletableFuture<RangeResponse> future,
      KvStore kv) {
    PendingRead read = new PendingRead(request, loop.nanoTime(), future);
    if (consistency == Replica.Consistency.SERIALIZABLE) {
      read.serve(kv);
      return false;
    }
    if (awaitingIndex.size() >= countMax) {
      ReplicaException overloaded =
          new ReplicaException(
              ReplicaException.Kind.OVERLOADED, node.leader(), id + ": too many reads pending");
      read.future().completeExceptionally(overloaded);
      return false;
    }
    // A lease is judged against the clock as it is now, not as of the last timer that fired.
    clock.catchUp();
    long requestId = ++lastRequestId;
    Optional<ProposeResult.Rejected> rejected = node.readIndex(requestId);
    if (rejected.isPresent()) {
      read.future().completeExceptionally(ReplicaException.refused(raft, rejected.get()));
      return false;
    }
    awaitingIndex.put(requestId, read);
    return true;
  }

  /**
   * The core confirmed the read indexes of {@code confirmed}: each read now waits for its index to
   * apply. It gave up on {@code aborted} (leadership lost before confirming): the client may retry.
   */
  void indexesSettled(List<ReadState> confirmed, List<Long> aborted) {
    for (ReadState state : confirmed) {
      PendingRead read = awaitingIndex.remove(state.requestId());
      if (read != null) {
        awaitingApply.computeIfAbsent(state.readIndex(), i -> new ArrayList<>()).add(read);
      }
    }
    for (long requestId : aborted) {
      PendingRead read = awaitingIndex.remove(requestId);
      if (read != null) {
        read.future().completeExceptionally(ReplicaException.notLeader(id, node.leader()));
      }
    }
  }

  /** Serves every confirmed read whose index {@code kv} has applied through. */
  void serveApplied(long appliedIndex, KvStore kv) {
    while (!awaitingApply.isEmpty() && awaitingApply.firstKey() <= appliedIndex) {
      awaitingApply.pollFirstEntry().getValue().forEach(read -> read.serve(kv));
    }
  }

  /** Fails every pending read with {@code failure}: those awaiting their index first. */
  void failAll(ReplicaException failure) {
    awaitingIndex.values().forEach(r -> r.future().completeExceptionally(failure));
    awaitingIndex.clear();
    awaitingApply
        .values()
        .forEach(list -> list.forEach(r -> r.future().completeExceptionally(failure)));
    awaitingApply.clear();
  }

  PendingReadsStatus status(long nowNanos) {
    long oldestStartNanos = nowNanos;
    for (PendingRead read : awaitingIndex.values()) {
      oldestStartNanos = Math.min(oldestStartNanos, read.startedAtNanos());
    }
    int awaitingApplyCount = 0;
    for (List<PendingRead> reads : awaitingApply.values()) {
      awaitingApplyCount += reads.size();
      for (PendingRead read : reads) {
        oldestStartNanos = Math.min(oldestStartNanos, read.startedAtNanos());
      }
    }
    return new PendingReadsStatus(
        awaitingIndex.size(),
        awaitingApplyCount,
        countMax,
        Duration.ofNanos(nowNanos - oldestStartNanos));
  }
}
