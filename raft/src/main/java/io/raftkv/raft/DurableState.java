package io.raftkv.raft;

import java.util.List;
import java.util.Optional;

/**
 * What a node finds on its disk when it starts: the last hard state, the newest snapshot (if any)
 * and the log entries after it, in index order without gaps. This is exactly what the {@link Ready}
 * batches asked the caller to persist.
 */
public record DurableState(HardState hardState, Optional<Snapshot> snapshot, List<Entry> entries) {
  public DurableState {
    entries = List.copyOf(entries);
  }

  public static DurableState empty() {
    return new DurableState(HardState.INITIAL, Optional.empty(), List.of());
  }
}
