package io.raftkv.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * What the clients share: how many operations are left to start, the next unique value (so a read
 * names the write it saw), the last value written to each key (what a cas expects), and every
 * acknowledged write with its revision, for the end-of-run "no acknowledged write lost" check.
 */
final class Workload {
  /** A write the cluster acknowledged: at {@code revision}, {@code key} held {@code value}. */
  record AckedWrite(String key, long value, long revision) {}

  private final int keyCount;
  private int opsLeft;
  private long nextValue = 1;
  private final Long[] lastWritten;
  private final List<AckedWrite> acked = new ArrayList<>();

  Workload(int ops, int keyCount) {
    this.opsLeft = ops;
    this.keyCount = keyCount;
    this.lastWritten = new Long[keyCount];
  }

  /** Claims one operation; false when the phase's budget is spent. */
  boolean claimOp() {
    if (opsLeft == 0) {
      return false;
    }
    opsLeft--;
    return true;
  }

  int keyCount() {
    return keyCount;
  }

  static String key(int index) {
    return "k" + index;
  }

  long nextValue(int keyIndex) {
    long value = nextValue++;
    lastWritten[keyIndex] = value;
    return value;
  }

  /** The last value some client tried to write to the key; null before any. */
  Long lastWritten(int keyIndex) {
    return lastWritten[keyIndex];
  }

  void acknowledged(String key, long value, long revision) {
    acked.add(new AckedWrite(key, value, revision));
  }

  List<AckedWrite> acked() {
    return acked;
  }
}
