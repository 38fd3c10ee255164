package io.raftkv.kv;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;

/**
 * Reads the events of a key range from history, for watchers catching up. History is kept per key,
 * not per revision (a revision log would cost memory on every write), so a catch-up scans the
 * range's chains: a first pass finds the revision where {@code eventsMax} events end, a second
 * collects exactly those revisions. Memory stays at about {@code eventsMax} events.
 */
final class EventScanner {
  private EventScanner() {}

  /** Events of revisions {@code [from, nextRevision)}, in (revision, sub-revision) order. */
  record Scan(List<Event> events, long nextRevision) {}

  static Scan scan(
      History history,
      KeyRange range,
      long from,
      long latest,
      int eventsMax,
      long compactRevision) {
    long last = lastRevisionToRead(history, range, from, latest, eventsMax);
    record Found(long revision, int sub, Event event) {}
    List<Found> found = new ArrayList<>();
    for (Chain c : history.chains(range)) {
      for (Version v = history.head(c); v != null && v.modRevision >= from; v = v.previous) {
        if (v.modRevision <= last) {
          found.add(new Found(v.modRevision, v.subRevision, toEvent(c.key, v, compactRevision)));
        }
      }
    }
    found.sort(Comparator.comparingLong(Found::revision).thenComparingInt(Found::sub));
    return new Scan(found.stream().map(Found::event).toList(), last + 1);
  }

  /**
   * The last revision to include: {@code latest} if fewer than {@code eventsMax} events wait, else
   * the revision of the {@code eventsMax}-th oldest event (that revision is read whole).
   */
  private static long lastRevisionToRead(
      History history, KeyRange range, long from, long latest, int eventsMax) {
    // Max-heap of the eventsMax oldest (revision, sub) pairs seen so far, packed in a long pair.
    PriorityQueue<long[]> oldest =
        new PriorityQueue<>(
            (a, b) -> a[0] != b[0] ? Long.compare(b[0], a[0]) : Long.compare(b[1], a[1]));
    for (Chain c : history.chains(range)) {
      for (Version v = history.head(c); v != null && v.modRevision >= from; v = v.previous) {
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

  /**
   * The event {@code v} made. An event at or below the compact revision has no prevKv: physical
   * compaction cuts the link to it, and since that pass runs in slices (and waits for snapshots),
   * whether the link is still there must not show.
   */
  private static Event toEvent(byte[] key, Version v, long compactRevision) {
    Version before = v.modRevision <= compactRevision ? null : v.previous;
    Optional<KeyValue> prev =
        before == null || before.isTombstone()
            ? Optional.empty()
            : Optional.of(before.toKeyValue(key));
    Event.Type type = v.isTombstone() ? Event.Type.DELETE : Event.Type.PUT;
    return new Event(type, v.toKeyValue(key), prev);
  }
}
