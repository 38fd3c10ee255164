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
 * read-only queries" by asking the leader). Each read is forwarded once; the leader's answer
 * makes it ready, and a read the leader never answers is aborted after an election timeout or
 * as soon as the follower's leader changes, so nothing waits forever.
 */
final class ForwardedReads {
  private final NodeId id;
  private final RaftConfig config;
  private final ReadTracker reads;
  private final Outbox outbox;
  /** Request id to the tick it was forwarded at, oldest first. */
  private final LinkedHashMap<Long, Long> sentTicks = new LinkedHashMap<>();

  ForwardedReads(NodeId id, RaftConfig config, ReadTracker reads, Outbox outbox) {
    this.id = id;
    this.config = config;
    this.reads = reads;
    this.outbox = outbox;
  }

  /** Forwards a read to {@code leader}, or refuses it when no leader is known or too many wait. */
  Optional<Rejected> forward(long requestId, NodeId leader, long term, long tick) {
    if (leader.isNone()) {
      return Optional.of(new Rejected(RejectReason.NOT_LEADER, NodeId.NONE));
    }
    if (sentTicks.size() >= config.readsPendingMax()) {
      return Optional.of(new Rejected(RejectReason.OVERLOADED, leader));
    }
    sentTicks.put(requestId, tick);
    outbox.send(new ReadIndexRequest(term, id, leader, requestId));
    return Optional.empty();
  }

  /** The leader's answer; answers from anyone but our current leader are ignored. */
  void handleReply(ReadIndexReply reply, NodeId leader) {
    if (!reply.from().equals(leader) || sentTicks.remove(reply.requestId()) == null) {
      return;
    }
    if (reply.rejected()) {
      reads.abort(reply.requestId());
    } else {
      reads.readyNow(reply.requestId(), reply.readIndex(), NodeId.NONE);
    }
  }

  /** Aborts reads forwarded an election timeout ago or earlier and still unanswered. */
  void expire(long tick) {
    Iterator<Map.Entry<Long, Long>> oldestFirst = sentTicks.entrySet().iterator();
    while (oldestFirst.hasNext()) {
      Map.Entry<Long, Long> read = oldestFirst.next();
      if (tick - read.getValue() < config.electionTimeoutTicks()) {
        return;
      }
      reads.abort(read.getKey());
      oldestFirst.remove();
    }
  }

  /** The leader they were forwarded to is no longer ours: its answers would be ignored. */
  void abortAll() {
    sentTicks.keySet().forEach(reads::abort);
    sentTicks.clear();
  }
}
