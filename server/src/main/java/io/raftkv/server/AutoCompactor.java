package io.raftkv.server;

import io.raftkv.kv.Command;
import io.raftkv.kv.CompactRequest;
import io.raftkv.raft.Role;
import io.raftkv.replica.EventLoop;
import io.raftkv.replica.Replica;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --auto-compaction-mode/-retention}: on the leader, proposes a compaction as {@link
 * CompactionPlan} says, through the log like a client's Compact. Runs on the event loop.
 */
final class AutoCompactor {
  private static final Logger LOG = LoggerFactory.getLogger(AutoCompactor.class);

  private final EventLoop loop;
  private final Replica replica;
  private final CompactionPlan plan;
  private final String name;
  private boolean leading;

  AutoCompactor(EventLoop loop, Replica replica, ServerConfig.AutoCompaction mode, String name) {
    this.loop = loop;
    this.replica = replica;
    this.plan = new CompactionPlan(mode);
    this.name = name;
  }

  void start() {
    loop.execute(this::scheduleNext);
  }

  private void scheduleNext() {
    loop.schedule(plan.period(), this::round);
  }

  // Refused (not leader any more, compacted further already) or applied: either is fine.
  @SuppressWarnings("FutureReturnValueIgnored")
  private void round() {
    if (replica.status().stopped()) {
      return;
    }
    boolean leader = replica.raftStatus().role() == Role.LEADER;
    if (leader && !leading) {
      plan.reset();
    }
    leading = leader;
    if (leader) {
      long revision = plan.next(loop.nanoTime(), replica.revision());
      if (revision > 0) {
        LOG.info("{} auto-compaction through revision {}", name, revision);
        replica
            .write(Command.of(new CompactRequest(revision)))
            .whenComplete(
                (ok, failure) -> {
                  if (failure != null) {
                    LOG.debug("{} auto-compaction to {} refused: {}", name, revision, failure);
                  }
                });
      }
    }
    scheduleNext();
  }
}
