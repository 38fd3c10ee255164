package io.raftkv.checker;

import java.util.Arrays;

/**
 * One search configuration (Lowe's just-in-time linearization): the model state, the called
 * operations not yet linearized, and those linearized ahead of their completion. Equality ignores
 * the trail, which only remembers one order that led here, for the report.
 */
final class Configuration {
  final Object state;

  /** Called, completed (or still running), not yet linearized: ascending partition indexes. */
  final int[] pending;

  /** Called, indeterminate (never completes), not yet linearized: ascending indexes. */
  final int[] open;

  /** Linearized before their completion arrived: ascending indexes. */
  final int[] early;

  /** Search-internal bits (see {@link Search}); 0 for configurations between events. */
  final int flags;

  final Trail trail;

  /** Hash of everything but {@link #open}: configurations that may dominate share it. */
  final int coreHash;

  private final int hash;

  Configuration(Object state, int[] pending, int[] open, int[] early, int flags, Trail trail) {
    this.state = state;
    this.pending = pending;
    this.open = open;
    this.early = early;
    this.flags = flags;
    this.trail = trail;
    this.coreHash =
        (state.hashCode() * 31 + Arrays.hashCode(pending)) * 31
            + Arrays.hashCode(early) * 7
            + flags;
    this.hash = coreHash * 31 + Arrays.hashCode(open);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Configuration c
        && c.hash == hash
        && sameCore(c)
        && Arrays.equals(c.open, open);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  /** Equal in everything but the indeterminate operations still unplaced. */
  boolean sameCore(Configuration c) {
    return c.coreHash == coreHash
        && c.flags == flags
        && Arrays.equals(c.pending, pending)
        && Arrays.equals(c.early, early)
        && c.state.equals(state);
  }

  /**
   * True when this configuration can do everything {@code other} can: same core and a superset of
   * unplaced indeterminate operations (an unplaced one can still be placed, or never).
   */
  boolean dominates(Configuration other) {
    return sameCore(other) && containsAll(open, other.open);
  }

  private static boolean containsAll(int[] big, int[] small) {
    if (small.length > big.length) {
      return false;
    }
    int j = 0;
    for (int value : small) {
      while (j < big.length && big[j] < value) {
        j++;
      }
      if (j == big.length || big[j] != value) {
        return false;
      }
      j++;
    }
    return true;
  }

  /** A persistent list of the operations linearized so far, newest first. */
  record Trail(int operation, Trail previous, int length) {
    static Trail push(Trail trail, int operation) {
      return new Trail(operation, trail, trail == null ? 1 : trail.length + 1);
    }
  }

  static int[] with(int[] sorted, int value) {
    int at = Arrays.binarySearch(sorted, value);
    if (at >= 0) {
      throw new IllegalStateException("already present: " + value);
    }
    int insert = -at - 1;
    int[] out = new int[sorted.length + 1];
    System.arraycopy(sorted, 0, out, 0, insert);
    out[insert] = value;
    System.arraycopy(sorted, insert, out, insert + 1, sorted.length - insert);
    return out;
  }

  static int[] withoutAt(int[] sorted, int at) {
    int[] out = new int[sorted.length - 1];
    System.arraycopy(sorted, 0, out, 0, at);
    System.arraycopy(sorted, at + 1, out, at, sorted.length - at - 1);
    return out;
  }
}
