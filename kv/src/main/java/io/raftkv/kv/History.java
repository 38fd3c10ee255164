package io.raftkv.kv;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Every key's version chain, in key order and by hash. Only the apply thread writes. A concurrent
 * skip list rather than a TreeMap because a snapshot thread iterates it while applies go on: its
 * iterators are weakly consistent, and since versions are immutable and a chain's head only ever
 * moves to a newer version linked to the old one, the snapshot filters each chain to its revision
 * and sees exactly the state at that revision. Point lookups (every put, single-key deletes and
 * reads) go through {@link ChainIndex} instead of the skip list; only a new key pays a skip-list
 * insertion.
 */
final class History {
  private final ConcurrentSkipListMap<byte[], Chain> ordered =
      new ConcurrentSkipListMap<>(Arrays::compareUnsigned);
  private final ChainIndex index = new ChainIndex();
  private final HeadSlots heads = new HeadSlots();

  private Chain chain(byte[] key) {
    return index.get(key, ChainIndex.hash(key));
  }

  Version head(byte[] key) {
    Chain c = chain(key);
    return c == null ? null : heads.get(c.slot);
  }

  /** The newest version of {@code c}'s key; safe from a snapshot thread. */
  Version head(Chain c) {
    return heads.get(c.slot);
  }

  /** Make {@code head} the newest version of {@code key}; it must link to the current head. */
  void prepend(byte[] key, Version head) {
    int hash = ChainIndex.hash(key);
    Chain c = index.get(key, hash);
    Version old = c == null ? null : heads.get(c.slot);
    Invariants.check(
        old == head.previous,
        "key %s: new version at %d does not link to head",
        key,
        head.modRevision);
    Invariants.check(
        old == null
            || old.modRevision < head.modRevision
            || (old.modRevision == head.modRevision && old.subRevision < head.subRevision),
        "key %s: version %d.%d written over %d.%d",
        key,
        head.modRevision,
        head.subRevision,
        old == null ? 0 : old.modRevision,
        old == null ? 0 : old.subRevision);
    if (c != null) {
      heads.set(c.slot, head);
    } else {
      insert(new Chain(key, hash, heads.allocate(head)));
    }
  }

  private void insert(Chain c) {
    Invariants.check(
        ordered.putIfAbsent(c.key, c) == null,
        "key %s in the ordered index " + "but not the hash index",
        c.key);
    index.add(c);
  }

  /** Installs a whole chain read from a snapshot, keys arriving in ascending order. */
  void restore(byte[] key, Version head) {
    insert(new Chain(key, ChainIndex.hash(key), heads.allocate(head)));
  }

  /** The chains of every key in {@code range}, in key order; a view, not a copy. */
  Collection<Chain> chains(KeyRange range) {
    if (range.single()) {
      Chain c = chain(range.start());
      return c == null ? List.of() : List.of(c);
    }
    if (range.isEmpty()) {
      return List.of();
    }
    if (range.end() == null) {
      return ordered.tailMap(range.start(), true).values();
    }
    return ordered.subMap(range.start(), true, range.end(), false).values();
  }

  /** Every chain in key order; weakly consistent, safe to iterate from another thread. */
  Collection<Chain> all() {
    return ordered.values();
  }

  int keyCount() {
    return index.count();
  }

  /** Both indexes hold the same chains; O(keys), for tests. */
  void checkIndexesAgree() {
    Invariants.check(
        ordered.size() == index.count(),
        "ordered index has %d keys, hash index %d",
        ordered.size(),
        index.count());
    for (Chain c : ordered.values()) {
      Invariants.check(chain(c.key) == c, "key %s: hash index holds another chain", c.key);
    }
  }

  /**
   * Drops what compaction at {@code revision} makes unreadable from at most {@code keysMax} keys
   * after {@code afterKey} (null: from the first key). Returns the last key visited, or null when
   * the pass reached the end. Slices keep each apply's share of an O(keys) pass bounded; writes
   * between slices are fine because compaction of a chain only looks at it.
   */
  byte[] compact(long revision, byte[] afterKey, int keysMax) {
    NavigableMap<byte[], Chain> rest =
        afterKey == null ? ordered : ordered.tailMap(afterKey, false);
    int visited = 0;
    byte[] last = null;
    for (Chain c : rest.values()) {
      if (visited == keysMax) {
        return last;
      }
      visited++;
      last = c.key;
      Version head = heads.get(c.slot);
      Version compacted = head.compactedAt(revision);
      if (compacted == null) {
        Invariants.check(ordered.remove(c.key, c), "key %s vanished during compaction", c.key);
        index.remove(c);
        heads.release(c.slot);
      } else if (compacted != head) {
        heads.set(c.slot, compacted);
      }
    }
    return null;
  }
}
