package io.raftkv.raft;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/** Builds single nodes in a chosen state and drains their output, for hand-driven scenarios. */
final class Nodes {
  private Nodes() {}

  static RaftConfig.Builder config(int id, int voterCount) {
    int[] ids = new int[voterCount];
    for (int i = 0; i < voterCount; i++) {
      ids[i] = i + 1;
    }
    return RaftConfig.builder(NodeId.of(id), Configuration.ofIds(ids));
  }

  static RaftNode node(int id, int voterCount, UnaryOperator<RaftConfig.Builder> tune) {
    return node(id, voterCount, tune, DurableState.empty());
  }

  static RaftNode node(
      int id, int voterCount, UnaryOperator<RaftConfig.Builder> tune, DurableState durable) {
    return new RaftNode(
        tune.apply(config(id, voterCount)).build(), durable, Rng.seeded(id), CoreLog.SILENT);
  }

  /** A disk holding {@code terms[i]} as the term of entry i+1, at hard-state term {@code term}. */
  static DurableState logWithTerms(long term, long... terms) {
    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < terms.length; i++) {
      entries.add(Entry.command(terms[i], i + 1, ("e" + (i + 1) + "@" + terms[i]).getBytes()));
    }
    return new DurableState(new HardState(term, NodeId.NONE, 0), Optional.empty(), entries);
  }

  /** Takes the node's Ready as a well-behaved caller would, returning every message it sends. */
  static List<Message> drain(RaftNode node) {
    List<Message> out = new ArrayList<>();
    while (node.hasReady()) {
      Ready ready = node.ready();
      out.addAll(ready.sendNow());
      out.addAll(ready.sendAfterPersist());
      node.advance(ready);
    }
    return out;
  }

  static <T extends Message> List<T> only(Class<T> type, List<Message> messages) {
    List<T> out = new ArrayList<>();
    for (Message m : messages) {
      if (type.isInstance(m)) {
        out.add(type.cast(m));
      }
    }
    return out;
  }

  static void tick(RaftNode node, int ticks) {
    for (int i = 0; i < ticks; i++) {
      node.tick();
    }
  }

  static NodeId n(int id) {
    return NodeId.of(id);
  }
}
