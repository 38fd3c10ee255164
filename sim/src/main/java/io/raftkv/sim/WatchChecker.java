package io.raftkv.sim;

import io.raftkv.kv.Event;
import io.raftkv.kv.KvLimits;
import io.raftkv.kv.WatchRequest;
import io.raftkv.raft.Entry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The watchers' verdict: each watcher's streams, concatenated, must equal the events of its range
 * in the one true committed log, from its start revision to the last revision it received: in
 * order, none twice, none skipped, each with the same key, value, revisions and type ({@link
 * CommittedEvents} gives the reference). Revisions a watcher was told were compacted are excused;
 * lag is not an error.
 */
final class WatchChecker {
  private WatchChecker() {}

  /** Checks every watcher; returns how many received events were checked. */
  static long check(
      List<SimWatcher> watchers,
      Map<Long, Entry> committed,
      KvLimits limits,
      List<String> violations) {
    List<WatchRequest> ranges = new ArrayList<>();
    watchers.forEach(w -> ranges.add(w.range()));
    List<List<Event>> expected = CommittedEvents.replay(committed, limits, ranges);
    long checked = 0;
    for (int i = 0; i < watchers.size(); i++) {
      SimWatcher watcher = watchers.get(i);
      String problem =
          compare(
              watcher.startRevision(), watcher.received(), watcher.compacted(), expected.get(i));
      if (problem != null) {
        violations.add("watch: " + watcher.describe() + ": " + problem);
        return checked;
      }
      checked += watcher.received().size();
    }
    return checked;
  }

  /**
   * The first difference between what a watcher received (from {@code startRevision}, 0 for "the
   * next write", with the compacted stretches it was told of) and the events of its range in the
   * log; null if none.
   */
  static String compare(
      long startRevision,
      List<SimWatcher.Received> received,
      List<SimWatcher.Compacted> compacted,
      List<Event> log) {
    if (received.isEmpty()) {
      return null;
    }
    long from = startRevision > 0 ? startRevision : received.get(0).event().revision();
    long through = received.get(received.size() - 1).event().revision();
    List<Event> expected = new ArrayList<>();
    for (Event event : log) {
      long revision = event.revision();
      if (revision >= from && revision <= through && !excused(compacted, revision)) {
        expected.add(event);
      }
    }
    for (int i = 0; i < received.size(); i++) {
      SimWatcher.Received got = received.get(i);
      Event want = i < expected.size() ? expected.get(i) : null;
      if (!got.event().equals(want)) {
        return difference(got, want, i == 0 ? from - 1 : received.get(i - 1).event().revision());
      }
    }
    if (received.size() < expected.size()) {
      return "missing " + describe(expected.get(received.size()));
    }
    return null;
  }

  private static boolean excused(List<SimWatcher.Compacted> compacted, long revision) {
    for (SimWatcher.Compacted gap : compacted) {
      if (revision >= gap.from() && revision < gap.compactRevision()) {
        return true;
      }
    }
    return false;
  }

  /** Names what went wrong at one received event: skipped, repeated, or wrong. */
  private static String difference(SimWatcher.Received got, Event want, long previous) {
    long revision = got.event().revision();
    String at = got.node() + " delivered " + describe(got.event());
    if (want == null) {
      return at + " beyond every committed event of the range (previous revision " + previous + ")";
    }
    if (revision > want.revision()) {
      return at + " but skipped revision " + want.revision() + ": " + describe(want);
    }
    if (revision <= previous) {
      return at + " again or out of order after revision " + previous;
    }
    if (revision < want.revision()) {
      return at
          + ", a revision the committed log does not have in range (next committed: "
          + describe(want)
          + ")";
    }
    return at + " where the committed log has " + describe(want);
  }

  private static String describe(Event event) {
    return event.type()
        + " "
        + event.kv().key().toStringUtf8()
        + "="
        + event.kv().value().toStringUtf8()
        + " at revision "
        + event.revision()
        + " (create "
        + event.kv().createRevision()
        + ", version "
        + event.kv().version()
        + ")";
  }
}
