package io.raftkv.kv;

import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Every key's version chain, in key order. Only the apply thread writes. A concurrent skip list
 * rather than a TreeMap because a snapshot thread iterates it while applies go on: its iterators
 * are weakly consistent, and since chains are immutable and only ever prepended, the snapshot
 * filters each chain to its revision and sees exactly the state at that revision.
 */
final class History {
  private final ConcurrentSkipListMap<byte[], Version> chains =
      new ConcurrentSkipListMap<>(Arrays::compareUnsigned);

  Version head(byte[] key) {
    return chains.get(key);
  }

  /**
   * Makes the version {@code next} builds from the current head (null if none) the newest of
   * {@code key}, in one traversal of the skip list: at 1M keys a traversal is most of a put.
   */
  Version update(byte[] key, java.util.function.UnaryOperator<Version> next) {
    return chains.compute(key, (k, head) -> {
      Version v = next.apply(head);
      Invariants.check(v.previous == head, "key %s: new version at %d does not link to head",
          Bytes.printable(key), v.modRevision);
      return v;
    });
  }

  /** Make {@code head} the newest version of {@code key}; it must link to the current head. */
  void prepend(byte[] key, Version head) {
    Version old = chains.put(key, head);
    Invariants.check(old == head.previous, "key %s: new version at %d does not link to head",
        Bytes.printable(key), head.modRevision);
    Invariants.check(old == null || old.modRevision < head.modRevision
            || (old.modRevision == head.modRevision && old.subRevision < head.subRevision),
        "key %s: version %d.%d written over %d.%d", Bytes.printable(key), head.modRevision,
        head.subRevision, old == null ? 0 : old.modRevision, old == null ? 0 : old.subRevision);
  }

  /** Installs a whole chain read from a snapshot, keys arriving in ascending order. */
  void restore(byte[] key, Version head) {
    Invariants.check(chains.put(key, head) == null, "key %s restored twice",
        Bytes.printable(key));
  }

  /** The chains of every key in {@code range}, in key order; a view, not a copy. */
  Map<byte[], Version> chains(KeyRange range) {
    if (range.single()) {
      Version v = chains.get(range.start());
      return v == null ? Map.of() : Collections.singletonMap(range.start(), v);
    }
    if (range.isEmpty()) {
      return Map.of();
    }
    if (range.end() == null) {
      return chains.tailMap(range.start(), true);
    }
    return chains.subMap(range.start(), true, range.end(), false);
  }

  NavigableMap<byte[], Version> all() {
    return chains;
  }

  int keyCount() {
    return chains.size();
  }

  /** Drops versions compaction at {@code revision} makes unreadable; O(keys). */
  void compact(long revision) {
    for (Map.Entry<byte[], Version> entry : chains.entrySet()) {
      Version head = entry.getValue();
      Version compacted = head.compactedAt(revision);
      if (compacted == null) {
        chains.remove(entry.getKey(), head);
      } else if (compacted != head) {
        chains.replace(entry.getKey(), head, compacted);
      }
    }
  }
}
