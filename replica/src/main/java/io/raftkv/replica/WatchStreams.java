package io.raftkv.replica;

import io.raftkv.kv.KvStore;
import io.raftkv.kv.WatchRequest;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/** The open watch streams of one replica, in the order they were opened. On the loop only. */
final class WatchStreams {
  private final EventLoop loop;

  /** {@link ReplicaBug#WATCH_SKIPS_RESTORED_REVISIONS}: reopen from the snapshot's revision. */
  private final boolean skipOnRestore;

  /** Insertion-ordered, so that restores and stops visit streams in a replayable order. */
  private final Set<WatchStream> open = new LinkedHashSet<>();

  private long nextId = 1;

  /** How every stream ended once the replica stopped; null until then. */
  private WatchEnd endedAll;

  WatchStreams(EventLoop loop, Set<ReplicaBug> bugs) {
    this.loop = loop;
    this.skipOnRestore = bugs.contains(ReplicaBug.WATCH_SKIPS_RESTORED_REVISIONS);
  }

  /**
   * A stream for {@code request}, returned at once and opened on the loop against the state machine
   * {@code kv} holds by then; ended at once if the replica stopped.
   */
  WatchStream watch(WatchRequest request, WatchObserver observer, Supplier<KvStore> kv) {
    WatchStream stream = new WatchStream(request, observer, loop, this);
    loop.execute(
        () -> {
          if (endedAll != null) {
            stream.end(endedAll);
          } else if (stream.open(nextId++, kv.get())) {
            open.add(stream);
          }
        });
    return stream;
  }

  void remove(WatchStream stream) {
    open.remove(stream);
  }

  WatchStreamsStatus status() {
    return new WatchStreamsStatus(open.size(), nextId - 1);
  }

  /** A leader's snapshot replaced the state machine: every stream goes on from the new one. */
  void restored(KvStore kv) {
    for (WatchStream stream : List.copyOf(open)) {
      stream.reopen(kv, skipOnRestore ? kv.revision() + 1 : stream.nextRevision());
    }
  }

  /** Ends every stream, and every one asked for from now on, with {@code end} (a stop). */
  void endAll(WatchEnd end) {
    endedAll = end;
    for (WatchStream stream : new ArrayList<>(open)) {
      stream.end(end);
    }
  }
}
