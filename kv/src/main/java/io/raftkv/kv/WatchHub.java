package io.raftkv.kv;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The watchers of one node (not replicated state: a restarted node has none). Single-key watchers
 * are found by hash per event; range watchers are checked one by one, which is fine for the few
 * range watchers a store has (an interval tree would be the next step).
 */
final class WatchHub {
  private final StoreState state;
  private final int eventsMax;
  private final Map<Bytes, Set<Watch>> byKey = new HashMap<>();
  private final Set<Watch> ranges = new LinkedHashSet<>();
  private long nextId = 1;

  WatchHub(StoreState state, int eventsMax) {
    this.state = state;
    this.eventsMax = eventsMax;
  }

  boolean isEmpty() {
    return byKey.isEmpty() && ranges.isEmpty();
  }

  int count() {
    int count = ranges.size();
    for (Set<Watch> watches : byKey.values()) {
      count += watches.size();
    }
    return count;
  }

  long revision() {
    return state.revision;
  }

  long compactRevision() {
    return state.compactRevision;
  }

  Watch register(WatchRequest request, WatchListener listener) {
    if (request.key() == null || request.key().isEmpty()) {
      throw new KvException(KvErrorCode.EMPTY_KEY, "");
    }
    KeyRange range = KeyRange.of(request.key(), request.rangeEnd());
    if (range.isEmpty()) {
      throw new KvException(KvErrorCode.EMPTY_WATCH_RANGE, range.toString());
    }
    long start = request.startRevision();
    boolean synced = start <= 0 || start > state.revision;
    Watch watch = new Watch(nextId++, range, request, start, synced, this, listener);
    if (range.single()) {
      byKey.computeIfAbsent(request.key(), k -> new LinkedHashSet<>()).add(watch);
    } else {
      ranges.add(watch);
    }
    return watch;
  }

  void remove(Watch watch) {
    if (watch.range().single()) {
      Bytes key = Bytes.wrap(watch.range().start());
      Set<Watch> watches = byKey.get(key);
      if (watches != null && watches.remove(watch) && watches.isEmpty()) {
        byKey.remove(key);
      }
    } else {
      ranges.remove(watch);
    }
  }

  /** Hands one revision's events (in sub-revision order) to the watchers they match. */
  void dispatch(List<Event> events) {
    if (events.isEmpty()) {
      return;
    }
    long revision = events.get(0).revision();
    Map<Watch, List<Event>> matched = new LinkedHashMap<>();
    for (Event e : events) {
      Invariants.check(
          e.revision() == revision,
          "one dispatch mixes revisions %d and %d",
          revision,
          e.revision());
      Set<Watch> single = byKey.get(e.kv().key());
      if (single != null) {
        for (Watch w : single) {
          matched.computeIfAbsent(w, x -> new ArrayList<>()).add(e);
        }
      }
      for (Watch w : ranges) {
        if (w.range().contains(e.kv().key().array())) {
          matched.computeIfAbsent(w, x -> new ArrayList<>()).add(e);
        }
      }
    }
    for (Map.Entry<Watch, List<Event>> entry : matched.entrySet()) {
      entry.getKey().offer(revision, entry.getValue(), eventsMax);
    }
  }

  void compacted(long compactRevision) {
    for (Watch w : allWatches()) {
      w.compacted(compactRevision);
    }
  }

  private List<Watch> allWatches() {
    List<Watch> all = new ArrayList<>(ranges);
    byKey.values().forEach(all::addAll);
    return all;
  }

  EventScanner.Scan scan(KeyRange range, long from, int eventsMaxPerPoll) {
    return EventScanner.scan(
        state.history, range, from, state.revision, eventsMaxPerPoll, state.compactRevision);
  }
}
