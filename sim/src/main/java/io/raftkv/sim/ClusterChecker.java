package io.raftkv.sim;

import io.raftkv.raft.Entry;
import io.raftkv.raft.RaftNode;
import io.raftkv.raft.Role;
import io.raftkv.raft.testkit.SafetyChecker;
import io.raftkv.raft.testkit.SafetyViolation;
import io.raftkv.replica.SimulatorDoor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The Raft invariants, checked while the run goes. After every event, cheaply: every entry a node
 * holds as committed equals the one any node ever held as committed at that index (state machine
 * safety; a committed entry is never lost or changed, across restarts too), at most one node has
 * been leader in each term (election safety), and a node seen leading a term for the first time
 * holds every entry committed in earlier terms (leader completeness), and log matching over the
 * stretch of each pair of logs that is not yet committed on both. Every {@code
 * fullCheckEveryEvents} events and at the end, the testkit's {@link SafetyChecker} over the nodes
 * that are up (one leader per term, log matching), and leader completeness against every entry ever
 * seen committed.
 */
final class ClusterChecker {
  private final List<SimNode> nodes;
  private final long fullCheckEveryEvents;
  private final SafetyChecker safety = new SafetyChecker();
  private final Map<Long, Entry> committed = new HashMap<>();

  /**
   * For each committed index, the lowest term in which some node already held it as committed: it
   * was committed by that term's leader or earlier, so every leader of a later term has it.
   */
  private final Map<Long, Long> committedByTerm = new HashMap<>();

  /** Per node and incarnation core: the committed index checked through. */
  private final Map<RaftNode, Long> checkedThrough = new HashMap<>();

  /**
   * §5.2 election safety after every event, not only every {@code fullCheckEveryEvents}: a second
   * leader of a term may be deposed (or crash) within a few events of winning.
   */
  private final Map<Long, SimNode> leaderOfTerm = new HashMap<>();

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
        if (core.role() == Role.LEADER) {
          SimNode first = leaderOfTerm.putIfAbsent(core.currentTerm(), node);
          if (first == null) {
            // A leader's log only grows while it leads: the event that elects it is the one
            // at which it can lack a committed entry.
            checkLeaderCompleteness(node, core);
          } else if (first != node) {
            throw new SafetyViolation(
                "election safety: "
                    + first.id()
                    + " and "
                    + node.id()
                    + " both leader in term "
                    + core.currentTerm());
          }
        }
      }
    }
    checkLeases();
    checkUncommittedTails();
    if (++events % fullCheckEveryEvents == 0) {
      fullCheck();
    }
  }

  /**
   * Thesis §6.4.1: a leader's lease stands for the promise of a majority not to elect anyone else
   * before it ends, so while a node holds one no node may lead a later term. A read served then may
   * be stale whether or not the workload happens to write in that window.
   */
  private void checkLeases() {
    SimNode newest = null;
    for (SimNode node : nodes) {
      RaftNode core = node.core();
      if (core != null
          && core.role() == Role.LEADER
          && (newest == null || core.currentTerm() > newest.core().currentTerm())) {
        newest = node;
      }
    }
    for (SimNode node : nodes) {
      RaftNode core = node.core();
      // A core behind on ticks (paused, or its timer not yet fired) judges its lease as of its
      // last tick; a read would bring it up to date first (Replica.startRead), so judge only
      // the cores a read would find current.
      if (core != null
          && core.holdsLease()
          && SimulatorDoor.ticksOwed(node.replica()) == 0
          && core.currentTerm() < newest.core().currentTerm()) {
        throw new SafetyViolation(
            "lease safety: "
                + node.id()
                + " holds a lease in term "
                + core.currentTerm()
                + " while "
                + newest.id()
                + " leads term "
                + newest.core().currentTerm());
      }
    }
  }

  /**
   * §5.3 log matching after every event, where it can still break: below both commit indexes two
   * logs hold the one committed log (checked above), so only the stretch from the lower commit
   * index up to the shorter log needs comparing, pair by pair. It is short: what is in flight, or a
   * deposed leader's unreplicated suffix.
   */
  private void checkUncommittedTails() {
    for (int i = 0; i < nodes.size(); i++) {
      RaftNode a = nodes.get(i).core();
      for (int j = i + 1; a != null && j < nodes.size(); j++) {
        RaftNode b = nodes.get(j).core();
        if (b != null) {
          SafetyChecker.checkLogMatching(
              a,
              b,
              Math.max(
                  Math.max(a.firstIndex(), b.firstIndex()),
                  Math.min(a.commitIndex(), b.commitIndex())));
        }
      }
    }
  }

  void fullCheck() {
    List<RaftNode> cores = new ArrayList<>();
    for (SimNode node : nodes) {
      if (node.core() != null) {
        cores.add(node.core());
        if (node.core().role() == Role.LEADER) {
          checkLeaderCompleteness(node, node.core());
        }
      }
    }
    safety.check(cores);
  }

  /**
   * §5.4 leader completeness, against every entry any node has held as committed in an earlier term
   * (the testkit's own version learns commits only from its InMemoryCluster): a leader's log holds
   * each of them, from its first index on.
   */
  private void checkLeaderCompleteness(SimNode node, RaftNode leader) {
    for (Map.Entry<Long, Entry> known : committed.entrySet()) {
      long index = known.getKey();
      // A deposed leader that does not know it yet lacks what its successors committed: §5.4
      // speaks of entries committed in earlier terms only.
      if (index < leader.firstIndex() || committedByTerm.get(index) >= leader.currentTerm()) {
        continue;
      }
      Entry ours = leader.entry(index).orElse(null);
      if (!known.getValue().equals(ours)) {
        throw new SafetyViolation(
            "leader completeness: leader "
                + node.id()
                + " of term "
                + leader.currentTerm()
                + " holds "
                + ours
                + " where "
                + known.getValue()
                + " was committed");
      }
    }
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
      committedByTerm.merge(index, core.currentTerm(), Math::min);
      Entry known = committed.putIfAbsent(index, ours);
      if (known != null && !known.equals(ours)) {
        throw new SafetyViolation(
            "state machine safety: "
                + node.id()
                + " holds "
                + ours
                + " as committed (commit="
                + core.commitIndex()
                + ") but "
                + known
                + " was committed at index "
                + index);
      }
    }
    checkedThrough.put(core, through);
  }
}
