package io.raftkv.raft;

/**
 * The AppendEntries messages in flight to one follower, as a ring of their last indexes. Bounded
 * (STYLE.md §5): {@link #add(long)} on a full ring is a bug, callers check {@link #isFull()}. Last
 * indexes only grow from oldest to newest: appends stream in log order.
 */
final class Inflights {
  private final long[] lastIndexes;
  private int start;
  private int count;

  Inflights(int capacity) {
    Invariants.check(capacity >= 1, "inflight window of %d", capacity);
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
    Invariants.check(
        count == 0 || lastIndex > newest(), "inflight %d after newest %d", lastIndex, newest());
    lastIndexes[(start + count) % lastIndexes.length] = lastIndex;
    count++;
    Invariants.check(newest() == lastIndex, "inflight ring lost %d", lastIndex);
  }

  /**
   * The follower acknowledged through {@code index}: every append ending there or before is done.
   */
  void freeThrough(long index) {
    while (count > 0 && lastIndexes[start] <= index) {
      start = (start + 1) % lastIndexes.length;
      count--;
    }
    Invariants.check(
        count == 0 || lastIndexes[start] > index, "inflight %d kept after ack %d", oldest(), index);
  }

  /** Lets one more append out when acknowledgements may have been lost. */
  void freeFirst() {
    if (count > 0) {
      start = (start + 1) % lastIndexes.length;
      count--;
    }
    Invariants.check(count >= 0 && !isFull(), "inflight window still full after freeing one");
  }

  void reset() {
    start = 0;
    count = 0;
  }

  private long oldest() {
    return count == 0 ? -1 : lastIndexes[start];
  }

  private long newest() {
    return count == 0 ? -1 : lastIndexes[(start + count - 1) % lastIndexes.length];
  }
}
