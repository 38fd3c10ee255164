package io.raftkv.sim;

import io.raftkv.raft.Entry;
import io.raftkv.raft.RaftNode;
import io.raftkv.raft.testkit.SafetyChecker;
import io.raftkv.raft.testkit.SafetyViolation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The Raft invariants, checked while the run goes. After every event, cheaply: every entry a
 * node holds as committed equals the one any node ever held as committed at that index
 * (state machine safety; a committed entry is never lost or changed, across restarts too).
 * Every {@code fullCheckEveryEvents} events and at the end, the testkit's
 * {@link SafetyChecker} over the nodes that are up: one leader per term, log matching, leader
 * completeness.
 */
final class ClusterChecker {
  private final List<SimNode> nodes;
  private final long fullCheckEveryEvents;
  private final SafetyChecker safety = new SafetyChecker();
  private final Map<Long, Entry> committed = new HashMap<>();
  /** Per node and incarnation core: the committed index checked through. */
  private final Map<RaftNode, Long> checkedThrough = new HashMap<>();
  private long events;

  ClusterChecker(List<SimNode> nodes, long fullCheckEveryEvents) {
    this.nodes = nodes;
    this.fullCheckEveryEvents = fullCheckEveryEvents;
  }

  /** Runs after each event; throws {@link SafetyViolation} naming what broke. */
  void afterEvent() {
    for (SimNode node : nodes) {
      RaftNode core = node.core();
      if (core != null) {
        checkCommitted(node, core);
      }
    }
    if (++events % fullCheckEveryEvents == 0) {
      fullCheck();
    }
  }

  void fullCheck() {
    List<RaftNode> cores = new ArrayList<>();
    for (SimNode node : nodes) {
      if (node.core() != null) {
        cores.add(node.core());
      }
    }
    safety.check(cores);
  }

  /** Every entry committed anywhere, by index: the one true log, for the end-of-run checks. */
  Map<Long, Entry> committed() {
    return committed;
  }

  private void checkCommitted(SimNode node, RaftNode core) {
    long through = Math.min(core.commitIndex(), core.lastIndex());
    // A new incarnation starts from scratch: what it recovered is checked once too.
    long from = Math.max(core.firstIndex(), checkedThrough.getOrDefault(core, 0L) + 1);
    if (through < from) {
      return;
    }
    for (long index = from; index <= through; index++) {
      Entry ours = core.entry(index).orElse(null);
      if (ours == null) {
        continue;
      }
      Entry known = committed.putIfAbsent(index, ours);
      if (known != null && !known.equals(ours)) {
        throw new SafetyViolation("state machine safety: " + node.id() + " holds " + ours
            + " as committed (commit=" + core.commitIndex() + ") but " + known
            + " was committed at index " + index);
      }
    }
    checkedThrough.put(core, through);
  }
}
