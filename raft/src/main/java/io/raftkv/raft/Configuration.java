package io.raftkv.raft;

import java.util.Collection;
import java.util.Collections;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The voting members of the cluster. Sorted, so iteration (and message order) is deterministic.
 * What makes a quorum of them is {@link Tracker}'s business.
 */
public record Configuration(SortedSet<NodeId> voters) {
  public Configuration {
    if (voters.isEmpty()) {
      throw new IllegalArgumentException("a configuration needs at least one voter");
    }
    if (voters.contains(NodeId.NONE)) {
      throw new IllegalArgumentException("node id 0 is reserved for 'none'");
    }
    voters = Collections.unmodifiableSortedSet(new TreeSet<>(voters));
  }

  public static Configuration of(Collection<NodeId> voters) {
    return new Configuration(new TreeSet<>(voters));
  }

  public static Configuration ofIds(int... ids) {
    TreeSet<NodeId> set = new TreeSet<>();
    for (int id : ids) {
      set.add(NodeId.of(id));
    }
    return new Configuration(set);
  }

  public boolean contains(NodeId id) {
    return voters.contains(id);
  }
}
