package io.raftkv.kv;

/**
 * The replicated state, owned by the apply thread: data with history, leases, sessions and the
 * counters a snapshot carries. Watchers are not here: they are local to a node.
 */
final class StoreState {
  final History history = new History();
  final Leases leases = new Leases();
  final Sessions sessions;

  /** Revision of the last write; 1 before any, as etcd starts. */
  long revision = 1;

  /** Reads below this revision are refused; 0 until the first compaction. */
  long compactRevision;

  /** History before this has been dropped from memory (lags {@link #compactRevision}). */
  long physicalCompactRevision;

  long appliedIndex;

  StoreState(int sessionsMax) {
    this.sessions = new Sessions(sessionsMax);
  }
}
