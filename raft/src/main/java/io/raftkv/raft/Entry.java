package io.raftkv.raft;

import java.util.Arrays;

/**
 * One log entry. {@code data} is owned by the entry once constructed: nobody mutates it. Equality
 * compares the bytes, so entries read back from disk equal the ones written.
 */
public record Entry(long term, long index, EntryType type, byte[] data) {
  private static final byte[] EMPTY = new byte[0];

  public Entry {
    if (term < 1 || index < 1) {
      throw new IllegalArgumentException(
          "entry needs term >= 1 and index >= 1, got term=" + term + " index=" + index);
    }
    if (type == null || data == null) {
      throw new IllegalArgumentException("entry type and data must not be null");
    }
  }

  public static Entry command(long term, long index, byte[] data) {
    return new Entry(term, index, EntryType.COMMAND, data);
  }

  public static Entry noop(long term, long index) {
    return new Entry(term, index, EntryType.NOOP, EMPTY);
  }

  /** Bytes this entry counts for in flow control: its payload plus a fixed header estimate. */
  public long sizeBytes() {
    return data.length + 24L;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Entry e
        && e.term == term
        && e.index == index
        && e.type == type
        && Arrays.equals(e.data, data);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(index) * 31 + Long.hashCode(term) * 7 + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "Entry[" + index + "@" + term + " " + type + " " + data.length + "B]";
  }
}
