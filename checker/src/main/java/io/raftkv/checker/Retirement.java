package io.raftkv.checker;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * When each indeterminate operation of a partition can leave the search for good. Once every
 * completed operation that {@link Model#mayObserve may observe} it has been linearized, a
 * configuration that has not placed it can drop it: in any completion of the linearization that
 * places it later, nothing between it and the next reset observes it, so the same order without it
 * is a linearization too (docs/checker.md, "Retiring indeterminate operations"). An indeterminate
 * operation that nothing may observe never enters the search.
 */
final class Retirement {
  /** Never retired: an observer is indeterminate or blind, so it may still be placed after. */
  static final int NEVER = Integer.MAX_VALUE;

  /** Retired before it is invoked: nothing can observe it. */
  static final int AT_ONCE = -1;

  private Retirement() {}

  /**
   * For each indeterminate operation, the event position after which it is retired ({@link
   * #AT_ONCE}, {@link #NEVER} or the completion of its last observer); {@link #NEVER} for others.
   */
  static int[] points(
      Model model, Operation[] operations, Kind[] kinds, int[] calls, int[] returns, int noReturn) {
    int[] points = new int[operations.length];
    Arrays.fill(points, NEVER);
    List<Integer> writes = new ArrayList<>();
    List<Integer> readers = new ArrayList<>();
    for (int i = 0; i < operations.length; i++) {
      if (kinds[i] == Kind.IGNORED) {
        continue;
      }
      readers.add(i);
      if (returns[i] == noReturn) {
        writes.add(i);
      }
    }
    int[][] candidates =
        model.observerCandidates(
            writes.stream().map(i -> operations[i]).toList(),
            readers.stream().map(i -> operations[i]).toList());
    for (int w = 0; w < writes.size(); w++) {
      int write = writes.get(w);
      int[] mayObserve = candidates == null ? null : candidates[w];
      int last = AT_ONCE;
      int count = mayObserve == null ? readers.size() : mayObserve.length;
      for (int k = 0; k < count && last != NEVER; k++) {
        int reader = readers.get(mayObserve == null ? k : mayObserve[k]);
        last =
            Math.max(
                last,
                observedUntil(model, operations, kinds, calls, returns, noReturn, write, reader));
      }
      points[write] = last;
    }
    return points;
  }

  /**
   * {@link #AT_ONCE} when the reader cannot observe the write, {@link #NEVER} when it may and may
   * still be placed at any time later, else the reader's completion.
   */
  private static int observedUntil(
      Model model,
      Operation[] operations,
      Kind[] kinds,
      int[] calls,
      int[] returns,
      int noReturn,
      int write,
      int reader) {
    // A reader that completed before the write was invoked is linearized before it.
    if (reader == write
        || returns[reader] < calls[write]
        || !model.mayObserve(operations[reader], operations[write])) {
      return AT_ONCE;
    }
    return returns[reader] == noReturn || kinds[reader] == Kind.BLIND ? NEVER : returns[reader];
  }

  /** The operations with a retirement point after their invocation, by ascending point. */
  static int[] scheduled(int[] points, int[] calls) {
    List<Integer> scheduled = new ArrayList<>();
    for (int i = 0; i < points.length; i++) {
      if (points[i] != NEVER && points[i] > calls[i]) {
        scheduled.add(i);
      }
    }
    scheduled.sort((a, b) -> Integer.compare(points[a], points[b]));
    return scheduled.stream().mapToInt(Integer::intValue).toArray();
  }

  /** The configurations with the given indeterminate operations dropped wherever unplaced. */
  static Dominance retire(Dominance current, int[] retiring, int count) {
    Dominance next = new Dominance();
    for (Configuration c : current.members()) {
      int[] open = c.open;
      for (int k = 0; k < count; k++) {
        int at = Arrays.binarySearch(open, retiring[k]);
        if (at >= 0) {
          open = Configuration.withoutAt(open, at);
        }
      }
      next.add(
          open == c.open
              ? c
              : new Configuration(c.state, c.pending, open, c.early, c.flags, c.trail));
    }
    return next;
  }
}
