package io.raftkv.raft;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Hand-built nodes connected in memory for scenario tests: delivers messages in send order, drops
 * those a filter refuses, and records every delivered message so tests can count them.
 */
final class Wire {
  final Map<NodeId, RaftNode> nodes = new TreeMap<>();
  final List<Message> delivered = new ArrayList<>();
  final List<ReadState> readsServed = new ArrayList<>();
  private final List<Message> pending = new ArrayList<>();

  Wire(RaftNode... members) {
    for (RaftNode node : members) {
      nodes.put(node.id(), node);
    }
  }

  RaftNode node(int id) {
    return nodes.get(NodeId.of(id));
  }

  /** Collects what every node wants to send. */
  void flush() {
    for (RaftNode node : nodes.values()) {
      while (node.hasReady()) {
        Ready ready = node.ready();
        pending.addAll(ready.sendNow());
        pending.addAll(ready.sendAfterPersist());
        readsServed.addAll(ready.readsReady());
        node.advance(ready);
      }
    }
  }

  /**
   * Delivers messages the filter allows until none are left, dropping the rest.
   *
   * @return the number delivered
   */
  int run(Predicate<Message> allow, int messagesMax) {
    int count = 0;
    flush();
    while (!pending.isEmpty()) {
      Message message = pending.remove(0);
      if (!allow.test(message) || !nodes.containsKey(message.to())) {
        continue;
      }
      if (++count > messagesMax) {
        throw new IllegalStateException("still busy after " + messagesMax + " messages");
      }
      delivered.add(message);
      nodes.get(message.to()).step(message);
      flush();
    }
    return count;
  }

  int run() {
    return run(m -> true, 100_000);
  }

  <T extends Message> long countDelivered(Class<T> type, Predicate<T> which) {
    return delivered.stream().filter(type::isInstance).map(type::cast).filter(which).count();
  }

  static Predicate<Message> between(int... ids) {
    return m -> contains(ids, m.from().value()) && contains(ids, m.to().value());
  }

  private static boolean contains(int[] ids, int id) {
    for (int candidate : ids) {
      if (candidate == id) {
        return true;
      }
    }
    return false;
  }
}
