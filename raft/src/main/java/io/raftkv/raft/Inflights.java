package io.raftkv.raft;

/**
 * The AppendEntries messages in flight to one follower, as a ring of their last indexes. Bounded
 * (STYLE.md §5): {@link #add(long)} on a full ring is a bug, callers check {@link #isFull()}.
 */
final class Inflights {
  private final long[] lastIndexes;
  private int start;
  private int count;

  Inflights(int capacity) {
    lastIndexes = new long[capacity];
  }

  boolean isFull() {
    return count == lastIndexes.length;
  }

  int count() {
    return count;
  }

  void add(long lastIndex) {
    Invariants.check(!isFull(), "inflights full (%d)", count);
    lastIndexes[(start + count) % lastIndexes.length] = lastIndex;
    count++;
  }

  /**
   * The follower acknowledged through {@code index}: every append ending there or before is done.
   */
  void freeThrough(long index) {
    while (count > 0 && lastIndexes[start] <= index) {
      start = (start + 1) % lastIndexes.length;
      count--;
    }
  }

  /** Lets one more append out when acknowledgements may have been lost. */
  void freeFirst() {
    if (count > 0) {
      start = (start + 1) % lastIndexes.length;
      count--;
    }
  }

  void reset() {
    start = 0;
    count = 0;
  }
}
