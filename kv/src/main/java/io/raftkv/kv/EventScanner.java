package io.raftkv.kv;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;

/**
 * Reads the events of a key range from history, for watchers catching up. History is kept per
 * key, not per revision (a revision log would cost memory on every write), so a catch-up scans
 * the range's chains: a first pass finds the revision where {@code eventsMax} events end, a
 * second collects exactly those revisions. Memory stays at about {@code eventsMax} events.
 */
final class EventScanner {
  private EventScanner() {}

  /** Events of revisions {@code [from, nextRevision)}, in (revision, sub-revision) order. */
  record Scan(List<Event> events, long nextRevision) {}

  static Scan scan(History history, KeyRange range, long from, long latest, int eventsMax) {
    long last = lastRevisionToRead(history, range, from, latest, eventsMax);
    record Found(long revision, int sub, Event event) {}
    List<Found> found = new ArrayList<>();
    for (Map.Entry<byte[], Version> entry : history.chains(range).entrySet()) {
      for (Version v = entry.getValue(); v != null && v.modRevision >= from; v = v.previous) {
        if (v.modRevision <= last) {
          found.add(new Found(v.modRevision, v.subRevision, toEvent(entry.getKey(), v)));
        }
      }
    }
    found.sort(Comparator.comparingLong(Found::revision).thenComparingInt(Found::sub));
    return new Scan(found.stream().map(Found::event).toList(), last + 1);
  }

  /**
   * The last revision to include: {@code latest} if fewer than {@code eventsMax} events wait,
   * else the revision of the {@code eventsMax}-th oldest event (that revision is read whole).
   */
  private static long lastRevisionToRead(History history, KeyRange range, long from,
      long latest, int eventsMax) {
    // Max-heap of the eventsMax oldest (revision, sub) pairs seen so far, packed in a long pair.
    PriorityQueue<long[]> oldest = new PriorityQueue<>(
        (a, b) -> a[0] != b[0] ? Long.compare(b[0], a[0]) : Long.compare(b[1], a[1]));
    for (Version head : history.chains(range).values()) {
      for (Version v = head; v != null && v.modRevision >= from; v = v.previous) {
        if (v.modRevision > latest) {
          continue;
        }
        oldest.add(new long[] {v.modRevision, v.subRevision});
        if (oldest.size() > eventsMax) {
          oldest.poll();
        }
      }
    }
    return oldest.size() < eventsMax ? latest : oldest.peek()[0];
  }

  private static Event toEvent(byte[] key, Version v) {
    Version before = v.previous;
    Optional<KeyValue> prev = before == null || before.isTombstone()
        ? Optional.empty() : Optional.of(before.toKeyValue(key));
    Event.Type type = v.isTombstone() ? Event.Type.DELETE : Event.Type.PUT;
    return new Event(type, v.toKeyValue(key), prev);
  }
}
