package io.raftkv.raft;

import io.raftkv.raft.Message.ReadIndexReply;
import io.raftkv.raft.Message.ReadIndexRequest;
import io.raftkv.raft.ProposeResult.Rejected;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A follower's reads waiting for the leader's read index (thesis §6.4: "followers can serve
 * read-only queries" by asking the leader). Each read is forwarded once; the leader's answer makes
 * it ready, and a read the leader never answers is aborted after an election timeout or as soon as
 * the follower's leader changes, so nothing waits forever.
 *
 * <p>The request travels under an id of our own: a per-incarnation epoch drawn from the injected
 * random source, and a counter. Callers' ids restart with each incarnation, and a reply to a dead
 * incarnation's request, still in flight, would otherwise answer the new incarnation's read with a
 * read index from before a write it must see (simulator, seed 154).
 */
final class ForwardedReads {
  private final NodeId id;
  private final RaftConfig config;
  private final ReadTracker reads;
  private final Outbox outbox;

  private record Forwarded(long requestId, long sentTick) {}

  /** Our forwarding id to the caller's request, oldest first. */
  private final LinkedHashMap<Long, Forwarded> pending = new LinkedHashMap<>();

  private final long epoch;
  private long forwardedCount;

  ForwardedReads(NodeId id, RaftConfig config, ReadTracker reads, Outbox outbox, Rng rng) {
    this.id = id;
    this.config = config;
    this.reads = reads;
    this.outbox = outbox;
    this.epoch = (long) rng.nextInt(Integer.MAX_VALUE) << 32;
  }

  /** Forwards a read to {@code leader}, or refuses it when no leader is known or too many wait. */
  Optional<Rejected> forward(long requestId, NodeId leader, long term, long tick) {
    if (leader.isNone()) {
      return Optional.of(new Rejected(RejectReason.NOT_LEADER, NodeId.NONE));
    }
    if (pending.size() >= config.readsPendingMax()) {
      return Optional.of(new Rejected(RejectReason.OVERLOADED, leader));
    }
    long forwardId = epoch | (forwardedCount++ & 0xFFFF_FFFFL);
    pending.put(forwardId, new Forwarded(requestId, tick));
    outbox.send(new ReadIndexRequest(term, id, leader, forwardId));
    return Optional.empty();
  }

  /** The leader's answer; answers from anyone but our current leader are ignored. */
  void handleReply(ReadIndexReply reply, NodeId leader) {
    Forwarded read = reply.from().equals(leader) ? pending.remove(reply.requestId()) : null;
    if (read == null) {
      return;
    }
    if (reply.rejected()) {
      reads.abort(read.requestId());
    } else {
      reads.readyNow(read.requestId(), reply.readIndex(), NodeId.NONE);
    }
  }

  /** Aborts reads forwarded an election timeout ago or earlier and still unanswered. */
  void expire(long tick) {
    Iterator<Map.Entry<Long, Forwarded>> oldestFirst = pending.entrySet().iterator();
    while (oldestFirst.hasNext()) {
      Forwarded read = oldestFirst.next().getValue();
      if (tick - read.sentTick() < config.electionTimeoutTicks()) {
        return;
      }
      reads.abort(read.requestId());
      oldestFirst.remove();
    }
  }

  /** The leader they were forwarded to is no longer ours: its answers would be ignored. */
  void abortAll() {
    pending.values().forEach(read -> reads.abort(read.requestId()));
    pending.clear();
  }
}
