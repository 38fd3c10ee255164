package io.raftkv.replica;

import io.raftkv.kv.Command;
import io.raftkv.kv.KvException;
import io.raftkv.kv.KvStore;
import io.raftkv.kv.LeaseDeadlines;
import io.raftkv.kv.LeaseRevokeRequest;
import io.raftkv.kv.LeaseTimeToLive;
import io.raftkv.kv.Response;
import io.raftkv.raft.RaftNode;
import io.raftkv.raft.Role;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The leader's lessor, as etcd's: keep-alives and time-to-live are answered from kv's {@link
 * LeaseDeadlines}, off the log; expiry goes onto it. Each tick the leader proposes a {@link
 * LeaseRevokeRequest} for every lease past its deadline, so expiry reaches every replica as an
 * ordinary entry and no state machine reads a clock. A new leader gives every lease a full TTL
 * again. On the loop only.
 */
final class Lessor {
  private static final int REVOKES_PER_TICK_MAX = 64;

  private final RaftNode node;
  private final EventLoop loop;

  /** Deadlines off the log; null unless leading (rebuilt at the first tick as leader). */
  private LeaseDeadlines deadlines;

  /** Leases whose revoke this leader proposed and has not seen applied yet. */
  private final Set<Long> revokesInFlight = new HashSet<>();

  private long revokesProposedCount;

  Lessor(RaftNode node, EventLoop loop) {
    this.node = node;
    this.loop = loop;
  }

  /**
   * At each tick: a leader proposes (through {@code propose}) a revoke for each lease of {@code kv}
   * past its deadline, at most {@value #REVOKES_PER_TICK_MAX}, each once until it applies; a
   * follower forgets the deadlines, which died with its leadership.
   */
  void tick(KvStore kv, BiConsumer<Command, CompletableFuture<Response>> propose) {
    if (!leading()) {
      deadlines = null;
      revokesInFlight.clear();
      return;
    }
    if (deadlines == null) {
      deadlines = new LeaseDeadlines(kv);
      deadlines.promote(loop.nanoTime());
    }
    for (long leaseId : deadlines.expired(loop.nanoTime(), REVOKES_PER_TICK_MAX)) {
      if (revokesInFlight.add(leaseId)) {
        CompletableFuture<Response> revoke = new CompletableFuture<>();
        // Its outcome needs no answer: a revoke that failed leaves the lease listed for the next.
        var unused = revoke.whenComplete((response, failure) -> revokesInFlight.remove(leaseId));
        revokesProposedCount++;
        propose.accept(Command.of(new LeaseRevokeRequest(leaseId)), revoke);
      }
    }
  }

  /** A leader's snapshot replaced the state machine the deadlines were bound to. */
  void stateMachineReplaced() {
    deadlines = null; // rebuilt on the next tick if leader
  }

  /** etcd's LeaseKeepAlive: completes {@code future} with the lease's TTL in seconds. */
  void keepAlive(long leaseId, CompletableFuture<Long> future) {
    answer(future, lessor -> lessor.keepAlive(leaseId, loop.nanoTime()));
  }

  /** etcd's LeaseTimeToLive. */
  void timeToLive(long leaseId, boolean withKeys, CompletableFuture<LeaseTimeToLive> future) {
    answer(future, lessor -> lessor.timeToLive(leaseId, withKeys, loop.nanoTime()));
  }

  private <T> void answer(CompletableFuture<T> future, Function<LeaseDeadlines, T> action) {
    if (!leading() || deadlines == null) {
      future.completeExceptionally(ReplicaException.notLeader(node.id(), node.leader()));
      return;
    }
    try {
      future.complete(action.apply(deadlines));
    } catch (KvException e) {
      future.completeExceptionally(e);
    }
  }

  private boolean leading() {
    return node.role() == Role.LEADER;
  }

  LessorStatus status() {
    return new LessorStatus(deadlines != null, revokesInFlight.size(), revokesProposedCount);
  }
}
