package io.raftkv.raft.testkit;

import io.raftkv.raft.Entry;
import io.raftkv.raft.NodeId;
import io.raftkv.raft.RaftNode;
import io.raftkv.raft.Role;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Figure 3's guarantees, checked against a running cluster after every step: election safety, log
 * matching, leader completeness and state machine safety (no committed entry is ever lost or
 * changed). A violation throws {@link SafetyViolation} naming what broke.
 */
public final class SafetyChecker {
  /** Every entry some node applied, by index: the one true committed log. */
  private final TreeMap<Long, Entry> committed = new TreeMap<>();

  /** For each committed index, the highest term any node had when it applied it. */
  private final Map<Long, Long> appliedInTerm = new HashMap<>();

  private final Map<Long, NodeId> leaderOfTerm = new HashMap<>();

  /** State machine safety: a node applies {@code entry}; it must agree with everyone's. */
  void onApplied(NodeId node, long nodeTerm, Entry entry) {
    Entry known = committed.putIfAbsent(entry.index(), entry);
    if (known != null && !known.equals(entry)) {
      throw new SafetyViolation(
          "state machine safety: "
              + node
              + " applied "
              + entry
              + " but "
              + known
              + " was applied at that index before");
    }
    appliedInTerm.merge(entry.index(), nodeTerm, Math::max);
  }

  public int committedCount() {
    return committed.size();
  }

  public Optional<Entry> committedEntry(long index) {
    return Optional.ofNullable(committed.get(index));
  }

  public long committedLastIndex() {
    return committed.isEmpty() ? 0 : committed.lastKey();
  }

  /** Checks every invariant over the nodes that are up. */
  public void check(Collection<RaftNode> nodes) {
    for (RaftNode node : nodes) {
      checkElectionSafety(node);
      checkCommittedPrefix(node);
      if (node.role() == Role.LEADER) {
        checkLeaderCompleteness(node);
      }
    }
    RaftNode[] array = nodes.toArray(new RaftNode[0]);
    for (int i = 0; i < array.length; i++) {
      for (int j = i + 1; j < array.length; j++) {
        checkLogMatching(array[i], array[j]);
      }
    }
  }

  /** §5.2 election safety: at most one leader per term, ever. */
  private void checkElectionSafety(RaftNode node) {
    if (node.role() != Role.LEADER) {
      return;
    }
    NodeId previous = leaderOfTerm.putIfAbsent(node.currentTerm(), node.id());
    if (previous != null && !previous.equals(node.id())) {
      throw new SafetyViolation(
          "election safety: "
              + previous
              + " and "
              + node.id()
              + " both leader in term "
              + node.currentTerm());
    }
  }

  /** A node's committed entries are the committed log: never lost, never changed. */
  private void checkCommittedPrefix(RaftNode node) {
    long to = Math.min(node.commitIndex(), node.lastIndex());
    if (to < node.firstIndex()) {
      return;
    }
    for (Entry entry : committed.subMap(node.firstIndex(), true, to, true).values()) {
      Optional<Entry> ours = node.entry(entry.index());
      if (ours.isEmpty() || !ours.get().equals(entry)) {
        throw new SafetyViolation(
            "committed entry changed: "
                + node.id()
                + " commit="
                + node.commitIndex()
                + " holds "
                + ours.orElse(null)
                + " where "
                + entry
                + " was committed");
      }
    }
  }

  /** §5.4 leader completeness: a leader holds every entry committed in an earlier term. */
  private void checkLeaderCompleteness(RaftNode leader) {
    for (Entry entry : committed.tailMap(leader.firstIndex(), true).values()) {
      long termBound = appliedInTerm.get(entry.index());
      if (termBound >= leader.currentTerm()) {
        continue;
      }
      Optional<Entry> ours = leader.entry(entry.index());
      if (ours.isEmpty() || !ours.get().equals(entry)) {
        throw new SafetyViolation(
            "leader completeness: leader "
                + leader.id()
                + " of term "
                + leader.currentTerm()
                + " lacks committed "
                + entry
                + " (has "
                + ours.orElse(null)
                + ")");
      }
    }
  }

  /** §5.3 log matching: same index and term means identical logs up to there. */
  private static void checkLogMatching(RaftNode a, RaftNode b) {
    checkLogMatching(a, b, Math.max(a.firstIndex(), b.firstIndex()));
  }

  /**
   * §5.3 log matching over the two logs from {@code from} up to the shorter one's end: an entry of
   * the same index and term is the same entry, and logs that agree at an index agree below it.
   * Stops at an index one of them has compacted (committed, so checked as such).
   */
  public static void checkLogMatching(RaftNode a, RaftNode b, long from) {
    boolean matchedAbove = false;
    for (long index = Math.min(a.lastIndex(), b.lastIndex()); index >= from; index--) {
      Entry x = a.entry(index).orElse(null);
      Entry y = b.entry(index).orElse(null);
      if (x == null || y == null) {
        return;
      }
      if (x.term() == y.term() && !x.equals(y)) {
        throw new SafetyViolation(
            "log matching: " + a.id() + " has " + x + " and " + b.id() + " has " + y);
      }
      if (matchedAbove && x.term() != y.term()) {
        throw new SafetyViolation(
            "log matching: "
                + a.id()
                + " and "
                + b.id()
                + " agree above index "
                + index
                + " but differ there: "
                + x
                + " vs "
                + y);
      }
      matchedAbove |= x.term() == y.term();
    }
  }
}
