package io.raftkv.storage;

import io.raftkv.raft.DurableState;
import io.raftkv.raft.Entry;
import io.raftkv.raft.HardState;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/** The log as Raft defines it, in memory: the oracle storage is checked against. */
final class LogModel {
  /** What a node reads back, in the form both the model and storage can produce. */
  record Observed(
      List<Entry> entries, HardState hardState, long snapshotIndex, long snapshotTerm) {}

  private final TreeMap<Long, Entry> entries = new TreeMap<>();
  private HardState hardState = HardState.INITIAL;
  private long snapshotIndex;
  private long snapshotTerm;

  LogModel copy() {
    LogModel copy = new LogModel();
    copy.entries.putAll(entries);
    copy.hardState = hardState;
    copy.snapshotIndex = snapshotIndex;
    copy.snapshotTerm = snapshotTerm;
    return copy;
  }

  long lastIndex() {
    return entries.isEmpty() ? snapshotIndex : entries.lastKey();
  }

  long lastTerm() {
    return entries.isEmpty() ? snapshotTerm : entries.lastEntry().getValue().term();
  }

  long termAt(long index) {
    if (index == snapshotIndex) {
      return snapshotTerm;
    }
    Entry entry = entries.get(index);
    return entry == null ? -1 : entry.term();
  }

  long snapshotIndex() {
    return snapshotIndex;
  }

  HardState hardState() {
    return hardState;
  }

  /** §5.3: an entry at an existing index replaces it and everything after it. */
  void append(Entry entry) {
    entries.tailMap(entry.index(), true).clear();
    entries.put(entry.index(), entry);
  }

  void hardState(HardState state) {
    hardState = state;
  }

  /** §7: keep the entries after the snapshot only if the log agrees with it at its index. */
  void installSnapshot(long index, long term) {
    if (termAt(index) == term) {
      entries.headMap(index, true).clear();
    } else {
      entries.clear();
    }
    snapshotIndex = index;
    snapshotTerm = term;
  }

  Observed observed() {
    long commit = Math.max(hardState.commitIndex(), snapshotIndex);
    return new Observed(
        new ArrayList<>(entries.values()),
        new HardState(hardState.currentTerm(), hardState.votedFor(), commit),
        snapshotIndex,
        snapshotTerm);
  }

  static Observed observed(DurableState state) {
    return new Observed(
        state.entries(),
        state.hardState(),
        state.snapshot().map(s -> s.index()).orElse(0L),
        state.snapshot().map(s -> s.term()).orElse(0L));
  }
}
