package io.raftkv.kv;

import java.util.Arrays;

/**
 * A key or a span of keys with etcd's conventions resolved: {@code end} null and {@code single} for
 * one key, {@code end} null and not single for "every key from start on" ({@code "\0"}), otherwise
 * {@code [start, end)}.
 */
record KeyRange(byte[] start, byte[] end, boolean single) {

  static KeyRange of(Bytes key, Bytes rangeEnd) {
    if (rangeEnd.isEmpty()) {
      return new KeyRange(key.array(), null, true);
    }
    if (rangeEnd.length() == 1 && rangeEnd.byteAt(0) == 0) {
      return new KeyRange(key.array(), null, false);
    }
    return new KeyRange(key.array(), rangeEnd.array(), false);
  }

  /** The range end that covers every key starting with {@code prefix}: last byte + 1. */
  static Bytes prefixEnd(Bytes prefix) {
    byte[] end = prefix.toByteArray();
    for (int i = end.length - 1; i >= 0; i--) {
      if ((end[i] & 0xff) < 0xff) {
        end[i]++;
        return Bytes.wrap(Arrays.copyOf(end, i + 1));
      }
    }
    // All 0xff (or empty): no finite end, so every key from the prefix on, as etcd does.
    return Bytes.wrap(new byte[] {0});
  }

  /** An explicit end at or before the start: etcd reads nothing from such a range. */
  boolean isEmpty() {
    return end != null && Arrays.compareUnsigned(end, start) <= 0;
  }

  boolean contains(byte[] key) {
    if (single) {
      return Arrays.equals(start, key);
    }
    return Arrays.compareUnsigned(key, start) >= 0
        && (end == null || Arrays.compareUnsigned(key, end) < 0);
  }

  /** Whether this range and {@code other} share a key; used for txn duplicate checks. */
  boolean intersects(KeyRange other) {
    if (single) {
      return other.contains(start);
    }
    if (other.single) {
      return contains(other.start);
    }
    boolean otherStartsBeforeMyEnd = end == null || Arrays.compareUnsigned(other.start, end) < 0;
    boolean iStartBeforeOtherEnd =
        other.end == null || Arrays.compareUnsigned(start, other.end) < 0;
    return otherStartsBeforeMyEnd && iStartBeforeOtherEnd && !isEmpty() && !other.isEmpty();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof KeyRange r
        && single == r.single
        && Arrays.equals(start, r.start)
        && Arrays.equals(end, r.end);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(start) * 31 + Arrays.hashCode(end);
  }

  @Override
  public String toString() {
    if (single) {
      return Bytes.printable(start);
    }
    return "[" + Bytes.printable(start) + ", " + (end == null ? "end" : Bytes.printable(end)) + ")";
  }
}
