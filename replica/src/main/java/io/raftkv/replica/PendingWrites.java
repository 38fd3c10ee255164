package io.raftkv.replica;

import io.raftkv.kv.Command;
import io.raftkv.kv.CommandCodec;
import io.raftkv.kv.KvException;
import io.raftkv.kv.KvStore;
import io.raftkv.kv.Response;
import io.raftkv.raft.Entry;
import io.raftkv.raft.NodeId;
import io.raftkv.raft.ProposeResult;
import io.raftkv.raft.RaftConfig;
import io.raftkv.raft.RaftNode;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * The write path: refuses what cannot be proposed (an invalid request, too many pending), proposes
 * the rest, and keeps each proposed write by the index of its entry until its future settles: when
 * its index applies (with the response, or {@code DROPPED} when another leader's entry took the
 * index), when a leader's snapshot covers it ({@code OUTCOME_UNKNOWN}) or when the replica stops.
 * On the loop only.
 */
final class PendingWrites {
  private record PendingWrite(
      long term, long proposedAtNanos, CompletableFuture<Response> future) {}

  private final NodeId id;
  private final int countMax;
  private final RaftConfig raft;
  private final RaftNode node;
  private final EventLoop loop;

  /** {@link ReplicaBug#SKIP_SESSION_CHECK}: propose without the session, so retries apply twice. */
  private final boolean skipSession;

  private final TreeMap<Long, PendingWrite> byIndex = new TreeMap<>();

  PendingWrites(ReplicaConfig config, RaftNode node, EventLoop loop, Set<ReplicaBug> bugs) {
    this.id = config.raft().id();
    this.countMax = config.pendingWritesMax();
    this.raft = config.raft();
    this.node = node;
    this.loop = loop;
    this.skipSession = bugs.contains(ReplicaBug.SKIP_SESSION_CHECK);
  }

  /**
   * Proposes {@code command}, checked against {@code kv}, or fails {@code future} at once: {@link
   * KvException} when the request is invalid whatever the state, {@code OVERLOADED} with {@code
   * pendingWritesMax} writes pending, or why the core refused. True when the core took it: the
   * caller then drives the core.
   */
  boolean propose(Command command, KvStore kv, CompletableFuture<Response> future) {
    try {
      kv.check(command.request());
    } catch (KvException e) {
      future.completeExceptionally(e);
      return false;
    }
    if (byIndex.size() >= countMax) {
      future.completeExceptionally(
          new ReplicaException(
              ReplicaException.Kind.OVERLOADED,
              node.leader(),
              id + ": " + byIndex.size() + " writes pending"));
      return false;
    }
    Command proposed = skipSession ? new Command(0, 0, command.request()) : command;
    return switch (node.propose(CommandCodec.encode(proposed))) {
      case ProposeResult.Accepted accepted -> {
        byIndex.put(
            accepted.lastIndex(), new PendingWrite(accepted.term(), loop.nanoTime(), future));
        yield true;
      }
      case ProposeResult.Rejected rejected -> {
        future.completeExceptionally(ReplicaException.refused(raft, rejected));
        yield false;
      }
    };
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
                  node.leader(),
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
    if (oldest == null) {
      return new PendingWritesStatus(0, countMax, 0, Duration.ZERO);
    }
    Duration oldestAge = Duration.ofNanos(nowNanos - oldest.getValue().proposedAtNanos());
    return new PendingWritesStatus(byIndex.size(), countMax, oldest.getKey(), oldestAge);
  }
}
