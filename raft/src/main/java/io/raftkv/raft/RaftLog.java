package io.raftkv.raft;

import java.util.ArrayList;
import java.util.List;

/**
 * The node's log in memory: a compacted prefix summarised by (snapshotIndex, snapshotTerm), then
 * the entries after it. Tracks which entries the caller has made durable and which committed
 * entries it has been handed, so each {@link Ready} carries exactly the new work.
 */
final class RaftLog {
  /** {@link #term(long)} of an index that is compacted away or beyond the end. */
  static final long UNKNOWN_TERM = -1;

  private long snapshotIndex;
  private long snapshotTerm;

  /** entries.get(i) has index snapshotIndex + 1 + i. */
  private final ArrayList<Entry> entries = new ArrayList<>();

  private long commitIndex;

  /** Last index the caller reported durable through {@link #markPersisted(long)}. */
  private long persistedIndex;

  /** First index not yet handed to the caller for persisting. */
  private long unpersistedFromIndex;

  /** Last committed index handed to the caller for applying. */
  private long committedHandedOutIndex;

  RaftLog(long snapshotIndex, long snapshotTerm, List<Entry> durableEntries, long commitIndex) {
    this.snapshotIndex = snapshotIndex;
    this.snapshotTerm = snapshotTerm;
    long expected = snapshotIndex + 1;
    for (Entry entry : durableEntries) {
      Invariants.check(
          entry.index() == expected,
          "durable log has gap: expected index %d, " + "found %d",
          expected,
          entry.index());
      entries.add(entry);
      expected++;
    }
    this.persistedIndex = lastIndex();
    this.unpersistedFromIndex = lastIndex() + 1;
    this.commitIndex = Math.min(Math.max(commitIndex, snapshotIndex), lastIndex());
    // The state machine restarts from the snapshot and re-applies every committed entry after it.
    this.committedHandedOutIndex = snapshotIndex;
  }

  long snapshotIndex() {
    return snapshotIndex;
  }

  long snapshotTerm() {
    return snapshotTerm;
  }

  long firstIndex() {
    return snapshotIndex + 1;
  }

  long lastIndex() {
    return snapshotIndex + entries.size();
  }

  long lastTerm() {
    return entries.isEmpty() ? snapshotTerm : entries.get(entries.size() - 1).term();
  }

  long commitIndex() {
    return commitIndex;
  }

  long persistedIndex() {
    return persistedIndex;
  }

  long committedHandedOutIndex() {
    return committedHandedOutIndex;
  }

  /** The term of the entry at {@code index}, or {@link #UNKNOWN_TERM} if compacted or absent. */
  long term(long index) {
    if (index == snapshotIndex) {
      return snapshotTerm;
    }
    if (index < snapshotIndex || index > lastIndex()) {
      return UNKNOWN_TERM;
    }
    return entries.get((int) (index - snapshotIndex - 1)).term();
  }

  Entry entry(long index) {
    Invariants.check(
        index > snapshotIndex && index <= lastIndex(),
        "entry %d outside log (%d, %d]",
        index,
        snapshotIndex,
        lastIndex());
    return entries.get((int) (index - snapshotIndex - 1));
  }

  boolean matches(long index, long term) {
    return term(index) == term;
  }

  /** §5.4.1: is a log ending at (lastIndex, lastTerm) at least as up-to-date as ours? */
  boolean isUpToDate(long otherLastIndex, long otherLastTerm) {
    long ourTerm = lastTerm();
    return otherLastTerm > ourTerm || (otherLastTerm == ourTerm && otherLastIndex >= lastIndex());
  }

  /**
   * Entries {@code [fromIndex, lastIndex]} capped by count and bytes; always at least one entry
   * when any exist, so an entry larger than the byte cap still travels.
   */
  List<Entry> slice(long fromIndex, int entriesMax, long bytesMax) {
    Invariants.check(
        fromIndex > snapshotIndex,
        "slice from compacted index %d (snapshot %d)",
        fromIndex,
        snapshotIndex);
    int from = (int) (fromIndex - snapshotIndex - 1);
    int to = Math.min(entries.size(), from + entriesMax);
    if (from >= to) {
      return List.of();
    }
    long bytes = entries.get(from).sizeBytes();
    int end = from + 1;
    while (end < to) {
      long next = bytes + entries.get(end).sizeBytes();
      if (next > bytesMax) {
        break;
      }
      bytes = next;
      end++;
    }
    return List.copyOf(entries.subList(from, end));
  }

  /** Leader-side append of new entries at the end. */
  void append(Entry entry) {
    Invariants.check(
        entry.index() == lastIndex() + 1, "append %d after last %d", entry.index(), lastIndex());
    Invariants.check(
        entry.term() >= lastTerm(), "append term %d below last term %d", entry.term(), lastTerm());
    entries.add(entry);
  }

  /**
   * §5.3 receiver rule 3 and 4: the caller checked that {@code prevIndex} matches. Skips entries
   * already present, truncates at the first conflict and appends the rest.
   *
   * @return the index of the last entry of {@code incoming} (now in the log)
   */
  long appendFromLeader(long prevIndex, List<Entry> incoming) {
    long index = prevIndex;
    int position = 0;
    for (; position < incoming.size(); position++) {
      index = prevIndex + 1 + position;
      if (index <= snapshotIndex) {
        continue;
      }
      if (index > lastIndex()) {
        break;
      }
      if (term(index) != incoming.get(position).term()) {
        truncateFrom(index);
        break;
      }
    }
    for (; position < incoming.size(); position++) {
      Entry entry = incoming.get(position);
      if (entry.index() > snapshotIndex) {
        append(entry);
      }
    }
    return prevIndex + incoming.size();
  }

  private void truncateFrom(long index) {
    Invariants.check(
        index > commitIndex, "truncating committed entry %d (commit %d)", index, commitIndex);
    entries.subList((int) (index - snapshotIndex - 1), entries.size()).clear();
    persistedIndex = Math.min(persistedIndex, index - 1);
    unpersistedFromIndex = Math.min(unpersistedFromIndex, index);
  }

  /** The first index of the run of entries with the same term as {@code index}, for hints. */
  long firstIndexOfTermAt(long index) {
    long term = term(index);
    long first = index;
    while (first - 1 > Math.max(snapshotIndex, commitIndex) && term(first - 1) == term) {
      first--;
    }
    return first;
  }

  /** The largest index at most {@code atMost} holding {@code term}, or 0 when there is none. */
  long lastIndexOfTerm(long term, long atMost) {
    for (long index = Math.min(atMost, lastIndex()); index > snapshotIndex; index--) {
      long found = term(index);
      if (found == term) {
        return index;
      }
      if (found < term) {
        return 0;
      }
    }
    return snapshotIndex > 0 && snapshotTerm == term && snapshotIndex <= atMost ? snapshotIndex : 0;
  }

  void commitTo(long index) {
    Invariants.check(index <= lastIndex(), "commit %d beyond last index %d", index, lastIndex());
    if (index > commitIndex) {
      commitIndex = index;
    }
  }

  /** Entries appended or overwritten since the last call; the caller will persist them. */
  List<Entry> takeUnpersisted() {
    if (unpersistedFromIndex > lastIndex()) {
      return List.of();
    }
    List<Entry> result =
        List.copyOf(
            entries.subList((int) (unpersistedFromIndex - snapshotIndex - 1), entries.size()));
    unpersistedFromIndex = lastIndex() + 1;
    return result;
  }

  boolean hasUnpersisted() {
    return unpersistedFromIndex <= lastIndex();
  }

  /**
   * The caller made entries through {@code index} durable. A truncation since they were handed out
   * means only the part before it is still ours.
   */
  void markPersisted(long index) {
    persistedIndex = Math.max(persistedIndex, Math.min(index, unpersistedFromIndex - 1));
  }

  boolean hasCommittedToHandOut() {
    return commitIndex > committedHandedOutIndex;
  }

  /** Entries through {@code throughIndex} (the commit index, unless a bug says otherwise). */
  List<Entry> takeCommitted(int entriesMax, long throughIndex) {
    long last = Math.min(throughIndex, committedHandedOutIndex + entriesMax);
    if (last <= committedHandedOutIndex || last < firstIndex()) {
      return List.of();
    }
    int from = (int) (committedHandedOutIndex + 1 - snapshotIndex - 1);
    List<Entry> result = List.copyOf(entries.subList(from, (int) (last - snapshotIndex)));
    committedHandedOutIndex = last;
    return result;
  }

  /** Drops entries through {@code index}; they are covered by a snapshot now. */
  void compactThrough(long index) {
    Invariants.check(
        index > snapshotIndex && index <= committedHandedOutIndex,
        "compact through %d outside (%d, %d]",
        index,
        snapshotIndex,
        committedHandedOutIndex);
    long term = term(index);
    entries.subList(0, (int) (index - snapshotIndex)).clear();
    snapshotIndex = index;
    snapshotTerm = term;
  }

  /** Replaces the whole log by a snapshot from the leader; the caller will persist it. */
  void restore(long index, long term) {
    entries.clear();
    snapshotIndex = index;
    snapshotTerm = term;
    commitIndex = index;
    persistedIndex = index;
    unpersistedFromIndex = index + 1;
    committedHandedOutIndex = index;
  }
}
