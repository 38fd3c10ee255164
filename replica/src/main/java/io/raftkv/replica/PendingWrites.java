package io.raftkv.replica;

import io.raftkv.kv.Response;
import io.raftkv.raft.Entry;
import io.raftkv.raft.NodeId;
import io.raftkv.raft.ProposeResult;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Writes this replica proposed and has not seen applied, by the index of their entry: each future
 * settles when its index applies (with the response, or {@code DROPPED} when another leader's entry
 * took the index), when a leader's snapshot covers it ({@code OUTCOME_UNKNOWN}) or when the replica
 * stops. Bounded by {@code pendingWritesMax}. On the loop only.
 */
final class PendingWrites {
  private record PendingWrite(
      long term, long proposedAtNanos, CompletableFuture<Response> future) {}

  private final NodeId id;
  private final int countMax;
  private final Supplier<NodeId> leaderHint;
  private final TreeMap<Long, PendingWrite> byIndex = new TreeMap<>();

  PendingWrites(NodeId id, int countMax, Supplier<NodeId> leaderHint) {
    this.id = id;
    this.countMax = countMax;
    this.leaderHint = leaderHint;
  }

  /** {@code OVERLOADED} when the bound is reached, so that a caller refuses before proposing. */
  Optional<ReplicaException> overloaded() {
    if (byIndex.size() < countMax) {
      return Optional.empty();
    }
    return Optional.of(
        new ReplicaException(
            ReplicaException.Kind.OVERLOADED,
            leaderHint.get(),
            id + ": " + byIndex.size() + " writes pending"));
  }

  void proposed(
      ProposeResult.Accepted accepted, CompletableFuture<Response> future, long nowNanos) {
    byIndex.put(accepted.lastIndex(), new PendingWrite(accepted.term(), nowNanos, future));
  }

  /**
   * The entry at a pending write's index applied; {@code response} is null when it is not a command
   * (a new leader's empty entry took the index).
   */
  void applied(Entry entry, Response response) {
    PendingWrite pending = byIndex.remove(entry.index());
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
                  leaderHint.get(),
                  id
                      + ": entry "
                      + entry.index()
                      + " of term "
                      + pending.term()
                      + " was replaced by one of term "
                      + entry.term()));
    }
  }

  /** Writes whose entries a leader's snapshot covers may or may not be in it: we cannot tell. */
  void coveredBySnapshot(long snapshotIndex) {
    while (!byIndex.isEmpty() && byIndex.firstKey() <= snapshotIndex) {
      byIndex
          .pollFirstEntry()
          .getValue()
          .future()
          .completeExceptionally(
              new ReplicaException(
                  ReplicaException.Kind.OUTCOME_UNKNOWN,
                  leaderHint.get(),
                  id + ": a snapshot through " + snapshotIndex + " replaced the log"));
    }
  }

  /** Fails every pending write with {@code failure}, oldest first. */
  void failAll(ReplicaException failure) {
    byIndex.values().forEach(w -> w.future().completeExceptionally(failure));
    byIndex.clear();
  }

  PendingWritesStatus status(long nowNanos) {
    Map.Entry<Long, PendingWrite> oldest = byIndex.firstEntry();
    return new PendingWritesStatus(
        byIndex.size(),
        countMax,
        oldest == null ? 0 : oldest.getKey(),
        oldest == null
            ? Duration.ZERO
            : Duration.ofNanos(nowNanos - oldest.getValue().proposedAtNanos()));
  }
}
