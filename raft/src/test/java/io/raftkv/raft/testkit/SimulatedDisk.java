package io.raftkv.raft.testkit;

import io.raftkv.raft.DurableState;
import io.raftkv.raft.Entry;
import io.raftkv.raft.HardState;
import io.raftkv.raft.Invariants;
import io.raftkv.raft.Ready;
import io.raftkv.raft.Snapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What one node's disk holds, kept exactly as {@link Ready}'s contract says: the state a restart
 * begins from. Survives crashes; what a node had not handed out in a Ready does not.
 */
final class SimulatedDisk {
  private HardState hardState = HardState.INITIAL;
  private Snapshot snapshot;
  private final ArrayList<Entry> entries = new ArrayList<>();

  void persist(Ready ready) {
    ready
        .snapshotToInstall()
        .ifPresent(
            installed -> {
              snapshot = installed;
              entries.clear();
            });
    List<Entry> incoming = ready.entriesToPersist();
    if (!incoming.isEmpty()) {
      long first = incoming.get(0).index();
      entries.removeIf(e -> e.index() >= first);
      long expected =
          entries.isEmpty() ? snapshotIndex() + 1 : entries.get(entries.size() - 1).index() + 1;
      Invariants.check(
          first == expected,
          "disk: entries from %d would leave a gap after %d",
          first,
          expected - 1);
      entries.addAll(incoming);
    }
    ready.hardState().ifPresent(state -> hardState = state);
  }

  /** The caller took a snapshot of its state machine: drop the log prefix it covers. */
  void saveSnapshot(Snapshot taken) {
    snapshot = taken;
    entries.removeIf(e -> e.index() <= taken.index());
  }

  DurableState durableState() {
    return new DurableState(hardState, Optional.ofNullable(snapshot), entries);
  }

  private long snapshotIndex() {
    return snapshot == null ? 0 : snapshot.index();
  }
}
