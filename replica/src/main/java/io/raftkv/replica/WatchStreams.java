package io.raftkv.replica;

import io.raftkv.kv.KvStore;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The open watch streams of one replica, in the order they were opened. On the loop only. */
final class WatchStreams {
  private final boolean skipOnRestore;

  /** Insertion-ordered, so that restores and stops visit streams in a replayable order. */
  private final Set<WatchStream> open = new LinkedHashSet<>();

  private long nextId = 1;

  /** {@code skipOnRestore}: {@link ReplicaBug#WATCH_SKIPS_RESTORED_REVISIONS}. */
  WatchStreams(boolean skipOnRestore) {
    this.skipOnRestore = skipOnRestore;
  }

  void open(KvStore kv, WatchStream stream) {
    if (stream.open(nextId++, kv)) {
      open.add(stream);
    }
  }

  void remove(WatchStream stream) {
    open.remove(stream);
  }

  int count() {
    return open.size();
  }

  /** A leader's snapshot replaced the state machine: every stream goes on from the new one. */
  void restored(KvStore kv) {
    for (WatchStream stream : List.copyOf(open)) {
      stream.reopen(kv, skipOnRestore ? kv.revision() + 1 : stream.nextRevision());
    }
  }

  /** Ends every stream with {@code end} (the replica stopped). */
  void endAll(WatchEnd end) {
    for (WatchStream stream : new ArrayList<>(open)) {
      stream.end(end);
    }
  }
}
