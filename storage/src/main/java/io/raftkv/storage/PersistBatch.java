package io.raftkv.storage;

import io.raftkv.raft.Entry;
import io.raftkv.raft.HardState;
import io.raftkv.raft.Ready;
import io.raftkv.raft.Snapshot;
import java.util.List;
import java.util.Optional;

/**
 * What one {@link Ready} asks to make durable, in its order: a snapshot to install, entries (the
 * first of which may overwrite a suffix), the hard state.
 */
public record PersistBatch(
    Optional<Snapshot> snapshotToInstall, List<Entry> entries, Optional<HardState> hardState) {
  public PersistBatch {
    entries = List.copyOf(entries);
  }

  public static PersistBatch of(Ready ready) {
    return new PersistBatch(ready.snapshotToInstall(), ready.entriesToPersist(), ready.hardState());
  }

  public static PersistBatch entries(List<Entry> entries) {
    return new PersistBatch(Optional.empty(), entries, Optional.empty());
  }

  public static PersistBatch hardState(HardState state) {
    return new PersistBatch(Optional.empty(), List.of(), Optional.of(state));
  }

  public long dataBytes() {
    long bytes = 0;
    for (Entry entry : entries) {
      bytes += entry.data().length;
    }
    return bytes;
  }
}
