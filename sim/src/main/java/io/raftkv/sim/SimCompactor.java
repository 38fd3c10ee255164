package io.raftkv.sim;

import io.raftkv.kv.Command;
import io.raftkv.kv.CompactRequest;
import io.raftkv.raft.Role;
import io.raftkv.replica.Replica;
import java.util.List;

/**
 * Compaction in the workload, as etcd's auto-compaction (revision mode) runs on the leader: every
 * {@code compactEveryNanos} the node that believes it leads proposes a compaction of all but the
 * last {@code compactRetainRevisions} revisions. Its outcome is not recorded: a compaction changes
 * no value, only what history is left, which the watchers and the checks that read old revisions
 * account for.
 */
final class SimCompactor {
  private final Scheduler scheduler;
  private final List<SimNode> nodes;
  private final long everyNanos;
  private final long retainRevisions;
  private boolean stopped;
  private int proposed;

  SimCompactor(Scheduler scheduler, List<SimNode> nodes, long everyNanos, long retainRevisions) {
    this.scheduler = scheduler;
    this.nodes = nodes;
    this.everyNanos = everyNanos;
    this.retainRevisions = retainRevisions;
  }

  void start() {
    if (everyNanos > 0) {
      scheduler.after(everyNanos, "compactor", this::compact);
    }
  }

  void stop() {
    stopped = true;
  }

  @SuppressWarnings("FutureReturnValueIgnored") // refused or applied, either is fine
  private void compact() {
    if (stopped) {
      return;
    }
    for (SimNode node : nodes) {
      Replica replica = node.replica();
      if (replica != null
          && node.core().role() == Role.LEADER
          && replica.revision() > retainRevisions + 1) {
        long revision = replica.revision() - retainRevisions;
        proposed++;
        scheduler.note("compactor: " + node.id() + " compacts through revision " + revision);
        // Refused (not leader any more, already compacted further) or applied: either is fine.
        replica.write(Command.of(new CompactRequest(revision)));
        break;
      }
    }
    scheduler.after(everyNanos, "compactor", this::compact);
  }

  int proposed() {
    return proposed;
  }
}
