package io.raftkv.sim;

import io.raftkv.kv.Event;
import io.raftkv.kv.KvLimits;
import io.raftkv.kv.KvStore;
import io.raftkv.kv.Watch;
import io.raftkv.kv.WatchBatch;
import io.raftkv.kv.WatchRequest;
import io.raftkv.raft.Entry;
import io.raftkv.raft.EntryType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The one true sequence of events: every committed entry, in index order, applied to a fresh state
 * machine (the same deterministic {@link KvStore} the replicas run), watched on each range asked
 * for. It depends on no node's state, so it judges every node alike.
 */
final class CommittedEvents {
  private static final int EVENTS_PER_POLL = 1024;

  private CommittedEvents() {}

  /**
   * The events of each of {@code ranges} (their start revisions are ignored: all of them). A gap in
   * the committed log would make them wrong; it is an error of the simulator (every commit is seen
   * after the event that made it), not of the cluster, so it throws.
   */
  static List<List<Event>> replay(
      Map<Long, Entry> committed, KvLimits limits, List<WatchRequest> ranges) {
    // The replicas' limits: with others, session eviction (sessionsMax) could answer otherwise.
    KvStore store = new KvStore(limits);
    List<Watch> watches = new ArrayList<>();
    List<List<Event>> events = new ArrayList<>();
    for (WatchRequest range : ranges) {
      watches.add(store.watch(range.from(0), w -> {}));
      events.add(new ArrayList<>());
    }
    long last = committed.keySet().stream().mapToLong(Long::longValue).max().orElse(0);
    for (long index = 1; index <= last; index++) {
      Entry entry = committed.get(index);
      if (entry == null) {
        throw new IllegalStateException("the committed log has no entry " + index + " of " + last);
      }
      if (entry.type() == EntryType.COMMAND) {
        store.apply(index, entry.data());
        drain(watches, events);
      }
    }
    return events;
  }

  /** Polls each watch empty after each apply, so none ever falls behind. */
  private static void drain(List<Watch> watches, List<List<Event>> events) {
    for (int i = 0; i < watches.size(); i++) {
      WatchBatch batch;
      do {
        batch = watches.get(i).poll(EVENTS_PER_POLL);
        events.get(i).addAll(batch.events());
      } while (!batch.events().isEmpty());
    }
  }
}
