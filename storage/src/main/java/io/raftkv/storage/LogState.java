package io.raftkv.storage;

import io.raftkv.raft.Entry;
import io.raftkv.raft.HardState;
import io.raftkv.raft.Invariants;
import java.util.ArrayList;
import java.util.List;

/**
 * The shape of the log as the WAL's records define it, applied one record at a time: the snapshot
 * it starts after, the hard state, the term of every index (as runs) and, during recovery only, the
 * entries themselves. Recovery and the writer apply the same rules, so what a restart reads back is
 * what the writer believed it had made durable.
 *
 * <p>A log whose older segments were compacted away starts with a hole: the first surviving
 * segment's header says the log ran to {@code prevIndex}, but those entries are gone. A later
 * snapshot marker must cover the hole, or the log is missing entries and recovery refuses.
 */
final class LogState {
  private long baseIndex;
  private long baseTerm;
  private HardState hardState = HardState.INITIAL;

  /** Entries in (baseIndex, holeEnd] are known to exist but are not in the log we have. */
  private long holeEnd;

  /** Term runs: runStart[i] is the first index of a run of entries of term runTerm[i]. */
  private final List<long[]> runs = new ArrayList<>();

  private long lastIndex;
  private final List<Entry> entries; // null unless recovering

  LogState(boolean keepEntries) {
    entries = keepEntries ? new ArrayList<>() : null;
  }

  LogState copyWithoutEntries() {
    LogState copy = new LogState(false);
    copy.baseIndex = baseIndex;
    copy.baseTerm = baseTerm;
    copy.hardState = hardState;
    copy.holeEnd = holeEnd;
    copy.lastIndex = lastIndex;
    for (long[] run : runs) {
      copy.runs.add(run.clone());
    }
    return copy;
  }

  /**
   * What a plain append changes (term runs added at the end, the last index, the hard state), so
   * that a refused batch of them is undone without copying the whole state.
   */
  record AppendMark(int runCount, long lastIndex, HardState hardState) {}

  /** A mark to {@link #rollback} to; valid while only plain appends and hard states follow. */
  AppendMark appendMark() {
    return new AppendMark(runs.size(), lastIndex, hardState);
  }

  /** Undoes the plain appends and hard states applied since {@code mark}. */
  void rollback(AppendMark mark) {
    while (runs.size() > mark.runCount()) {
      runs.remove(runs.size() - 1);
    }
    lastIndex = mark.lastIndex();
    hardState = mark.hardState();
  }

  long baseIndex() {
    return baseIndex;
  }

  long baseTerm() {
    return baseTerm;
  }

  HardState hardState() {
    return hardState;
  }

  /** Index of the last entry, or of the snapshot (or hole) when the log has none after it. */
  long lastIndex() {
    return lastIndex;
  }

  long firstIndexInLog() {
    return runs.isEmpty() ? lastIndex + 1 : runs.get(0)[0];
  }

  List<Entry> entries() {
    return entries;
  }

  /** The term of the entry at {@code index}, or -1 when it is not known here. */
  long termAt(long index) {
    if (index == baseIndex) {
      return baseTerm;
    }
    if (runs.isEmpty() || index < runs.get(0)[0] || index > lastIndex) {
      return -1;
    }
    for (int i = runs.size() - 1; i >= 0; i--) {
      if (runs.get(i)[0] <= index) {
        return runs.get(i)[1];
      }
    }
    return -1;
  }

  /** Starts from the first surviving segment's header. */
  void start(WalRecord.SegmentHeader header) {
    baseIndex = header.baseIndex();
    baseTerm = header.baseTerm();
    hardState = header.hardState();
    lastIndex = Math.max(header.prevIndex(), baseIndex);
    holeEnd = header.prevIndex() > baseIndex ? header.prevIndex() : 0;
  }

  /** A later segment's header must agree with what the records before it built. */
  void checkContinues(WalRecord.SegmentHeader header) {
    rule(
        header.baseIndex() == baseIndex && header.baseTerm() == baseTerm,
        "segment header says the log starts after %d@%d, the records before say %d@%d",
        header.baseIndex(),
        header.baseTerm(),
        baseIndex,
        baseTerm);
    rule(
        header.prevIndex() == lastIndex,
        "segment header says the last index is %d, " + "the records before end at %d",
        header.prevIndex(),
        lastIndex);
    rule(
        header.hardState().equals(hardState),
        "segment header hard state %s, " + "the records before say %s",
        header.hardState(),
        hardState);
  }

  /** Applies an entry; one at or below the last index first discards the suffix from it. */
  void append(Entry entry) {
    long index = entry.index();
    // Checked before calling rule(): its boxed arguments cost the WAL thread on every entry.
    if (index <= baseIndex || index > lastIndex + 1) {
      rule(index > baseIndex, "entry %d at or below the snapshot index %d", index, baseIndex);
      rule(false, "entry %d leaves a gap after the last index %d", index, lastIndex);
    }
    if (index <= lastIndex) {
      truncateFrom(index);
    }
    long previousTerm = runs.isEmpty() ? (holeEnd > 0 ? -1 : baseTerm) : lastRun()[1];
    if (entry.term() < previousTerm) {
      rule(
          false,
          "entry %d has term %d below the previous term %d",
          index,
          entry.term(),
          previousTerm);
    }
    if (runs.isEmpty() || lastRun()[1] != entry.term()) {
      runs.add(new long[] {index, entry.term()});
    }
    lastIndex = index;
    if (entries != null) {
      entries.add(entry);
    }
  }

  void hardState(HardState state) {
    rule(
        state.currentTerm() >= hardState.currentTerm(),
        "hard state term %d below %d",
        state.currentTerm(),
        hardState.currentTerm());
    hardState = state;
  }

  void snapshot(WalRecord.SnapshotMarker marker) {
    rule(
        marker.index() >= baseIndex,
        "snapshot %d below the current snapshot %d",
        marker.index(),
        baseIndex);
    if (marker.keepSuffix() && marker.index() <= lastIndex) {
      long term = termAt(marker.index());
      rule(
          term == -1 || term == marker.term(),
          "snapshot %d@%d kept the log, whose term at " + "%d is %d",
          marker.index(),
          marker.term(),
          marker.index(),
          term);
      dropThrough(marker.index());
    } else {
      runs.clear();
      if (entries != null) {
        entries.clear();
      }
      lastIndex = marker.index();
      holeEnd = 0;
    }
    if (holeEnd <= marker.index()) {
      holeEnd = 0;
    }
    baseIndex = marker.index();
    baseTerm = marker.term();
  }

  /**
   * The writer's half of recovery's rules (STYLE.md §4, in pairs): before a durable write's state
   * replaces this one, it must be a state recovery would accept after this one. Returns {@code
   * after}.
   */
  LogState checkSucceededBy(LogState after) {
    Invariants.check(
        after.hardState.currentTerm() >= hardState.currentTerm(),
        "wal write takes the term from %d back to %d",
        hardState.currentTerm(),
        after.hardState.currentTerm());
    Invariants.check(
        after.baseIndex >= baseIndex,
        "wal write takes the snapshot from %d back to %d",
        baseIndex,
        after.baseIndex);
    Invariants.check(
        after.holeEnd == 0, "wal write leaves entries missing through %d", after.holeEnd);
    Invariants.check(
        after.lastIndex >= after.baseIndex,
        "wal write ends the log at %d, before its snapshot %d",
        after.lastIndex,
        after.baseIndex);
    return after;
  }

  /** After the last record: the log must run from the snapshot without a hole. */
  void finish() {
    rule(
        holeEnd == 0,
        "entries %d..%d are missing: the segments that held them are gone "
            + "and no snapshot covers them",
        baseIndex + 1,
        holeEnd);
  }

  private void truncateFrom(long index) {
    while (!runs.isEmpty() && lastRun()[0] >= index) {
      runs.remove(runs.size() - 1);
    }
    if (holeEnd >= index) {
      holeEnd = index - 1 > baseIndex ? index - 1 : 0;
    }
    if (entries != null) {
      while (!entries.isEmpty() && entries.get(entries.size() - 1).index() >= index) {
        entries.remove(entries.size() - 1);
      }
    }
    lastIndex = index - 1;
  }

  private void dropThrough(long index) {
    while (runs.size() > 1 && runs.get(1)[0] <= index + 1) {
      runs.remove(0);
    }
    if (!runs.isEmpty()) {
      if (index + 1 > lastIndex) {
        runs.clear();
      } else {
        runs.get(0)[0] = Math.max(runs.get(0)[0], index + 1);
      }
    }
    if (entries != null) {
      int drop = 0;
      while (drop < entries.size() && entries.get(drop).index() <= index) {
        drop++;
      }
      entries.subList(0, drop).clear();
    }
  }

  private long[] lastRun() {
    return runs.get(runs.size() - 1);
  }

  private static void rule(boolean holds, String format, Object... args) {
    if (!holds) {
      throw new LogRuleException(String.format(format, args));
    }
  }

  /** A record that the log's rules forbid at this point: a bug or corruption, never a crash. */
  static final class LogRuleException extends RuntimeException {
    LogRuleException(String message) {
      super(message);
    }
  }
}
