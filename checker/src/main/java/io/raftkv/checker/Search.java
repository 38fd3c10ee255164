package io.raftkv.checker;

import java.util.AbstractList;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Decides one partition (one key's operations) with Wing &amp; Gong's search in Lowe's just-in-time
 * form: events are replayed in order, the set of reachable configurations is kept and deduplicated
 * (the memoisation on linearized set + state), and an operation is linearized only when its
 * completion forces it, together with whatever must or may precede it.
 *
 * <p>Reductions, each sound because it only drops orders that some kept order dominates (see
 * docs/checker.md; each is checked against the brute-force oracle in the tests):
 *
 * <ol>
 *   <li>Blind operations (writes, appends) are placed only right before a non-blind operation in a
 *       closure, so concurrent writes are ordered only when a read can observe them, and the
 *       model's {@link Model#mayReach} lets the read's value prune the orders.
 *   <li>An indeterminate operation is never placed where it would not change the state: leaving it
 *       unplaced keeps every option open.
 *   <li>A pure operation (a read) is placed ahead of its completion only when a state change
 *       follows it in the same closure; consecutive pure operations go in index order.
 *   <li>Dominance: of two configurations equal but for their unplaced indeterminate operations, the
 *       one with a superset of them can do all the other can; the other is dropped (between events
 *       and inside a closure, which is explored breadth first so the dominating configuration,
 *       having placed fewer, usually comes first).
 *   <li>Indeterminate operations with the same function and input are interchangeable, and an older
 *       one can be placed wherever a newer one can: only the newest placeable one of each such
 *       class is tried.
 *   <li>An indeterminate operation is placed only if some non-blind operation could observe its
 *       effect before a reset ({@link Model#resets}) erases it, and no reset follows it before the
 *       next non-blind operation: otherwise leaving it unplaced dominates.
 *   <li>An indeterminate operation is dropped from every configuration once every operation that
 *       may observe it has been linearized ({@link Retirement}): never placing it is then as good.
 * </ol>
 */
final class Search {
  /** Thrown inside the search when the budget runs out; becomes an {@code unknown}. */
  static final class BudgetExhausted extends RuntimeException {
    BudgetExhausted(String message) {
      super(message, null, false, false);
    }
  }

  /** The outcome for one partition. */
  record Result(
      Verdict.Result result, Operation operation, List<Operation> prefix, String reason) {}

  private static final int NO_RETURN = Integer.MAX_VALUE;
  private static final int NEED_CHANGE = 1;
  private static final int OPEN_PLACED = 2;
  private static final int PURE_SHIFT = 2;
  private static final int[] NONE = new int[0];

  private final Model model;
  private final Operation[] operations;
  private final Kind[] kinds;
  private final int[] calls;
  private final int[] returns;

  /** For indeterminate operations, a class id shared by those with equal function and input. */
  private final int[] openClasses;

  private final boolean[] resets;
  private final boolean retire;
  private final AtomicBoolean stop;
  private boolean cancelled;
  private final int configurationsMax;
  private final long deadlineNanos;
  private long work;

  // Per completion: the operation forced, the configurations produced, a closure's visited set.
  private int forced;
  private Dominance produced;
  private Dominance visited;

  Search(Model model, List<Operation> partition, int configurationsMax, long deadlineNanos) {
    this(model, partition, configurationsMax, deadlineNanos, true, new AtomicBoolean());
  }

  /**
   * @param retire false to never retire indeterminate operations (for the tests)
   * @param stop set by another thread to end this search early ({@link #cancelled()})
   */
  Search(
      Model model,
      List<Operation> partition,
      int configurationsMax,
      long deadlineNanos,
      boolean retire,
      AtomicBoolean stop) {
    this.model = model;
    this.retire = retire;
    this.stop = stop;
    this.operations = partition.toArray(Operation[]::new);
    int count = operations.length;
    this.kinds = new Kind[count];
    this.calls = new int[count];
    this.returns = new int[count];
    this.openClasses = new int[count];
    this.resets = new boolean[count];
    Map<List<Object>, Integer> classes = new HashMap<>();
    for (int i = 0; i < count; i++) {
      Operation operation = operations[i];
      kinds[i] = model.kind(operation);
      resets[i] = model.resets(operation);
      calls[i] = operation.invokeIndex();
      boolean open = operation.outcome() == Outcome.UNKNOWN;
      returns[i] = open ? NO_RETURN : operation.completeIndex();
      openClasses[i] =
          !open
              ? -1
              : classes.computeIfAbsent(
                  List.of(operation.function(), operation.input()), k -> classes.size());
    }
    this.configurationsMax = configurationsMax;
    this.deadlineNanos = deadlineNanos;
  }

  /** True when the search ended because {@code stop} was set, not because of its budget. */
  boolean cancelled() {
    return cancelled;
  }

  Result run() {
    Dominance current = new Dominance();
    current.add(new Configuration(model.initialState(), NONE, NONE, NONE, 0, null));
    int[] retirePoints = new int[operations.length];
    Arrays.fill(retirePoints, Retirement.NEVER);
    if (retire) {
      retirePoints = Retirement.points(model, operations, kinds, calls, returns, NO_RETURN);
    }
    int[] scheduled = Retirement.scheduled(retirePoints, calls);
    int nextRetiring = 0;
    try {
      for (int[] event : events()) {
        int operation = event[1];
        boolean isReturn = event[2] == 1;
        if (!isReturn) {
          if (retirePoints[operation] > calls[operation]) {
            current = invoke(current, operation);
          }
        } else if (kinds[operation] != Kind.BLIND) {
          Dominance next = complete(current, operation);
          if (next.isEmpty()) {
            return failure(current, operation);
          }
          current = next;
        }
        int due = nextRetiring;
        while (due < scheduled.length && retirePoints[scheduled[due]] <= event[0]) {
          due++;
        }
        if (due > nextRetiring) {
          current =
              Retirement.retire(
                  current, Arrays.copyOfRange(scheduled, nextRetiring, due), due - nextRetiring);
          nextRetiring = due;
        }
      }
    } catch (BudgetExhausted e) {
      return new Result(Verdict.Result.UNKNOWN, null, List.of(), e.getMessage());
    }
    return new Result(Verdict.Result.LINEARIZABLE, null, List.of(), null);
  }

  /** Invocations and completions of the partition's checked operations, in history order. */
  private int[][] events() {
    List<int[]> events = new ArrayList<>();
    for (int i = 0; i < operations.length; i++) {
      if (kinds[i] == Kind.IGNORED) {
        continue;
      }
      events.add(new int[] {calls[i], i, 0});
      if (returns[i] != NO_RETURN) {
        events.add(new int[] {returns[i], i, 1});
      }
    }
    events.sort((a, b) -> Integer.compare(a[0], b[0]));
    return events.toArray(int[][]::new);
  }

  private Dominance invoke(Dominance current, int operation) {
    Dominance next = new Dominance();
    boolean open = returns[operation] == NO_RETURN;
    for (Configuration c : current.members()) {
      next.add(
          new Configuration(
              c.state,
              open ? c.pending : Configuration.with(c.pending, operation),
              open ? Configuration.with(c.open, operation) : c.open,
              c.early,
              0,
              c.trail));
    }
    return next;
  }

  private Dominance complete(Dominance current, int operation) {
    produced = new Dominance();
    forced = operation;
    for (Configuration c : current.members()) {
      int at = Arrays.binarySearch(c.early, operation);
      if (at >= 0) {
        emit(
            new Configuration(
                c.state, c.pending, c.open, Configuration.withoutAt(c.early, at), 0, c.trail));
      } else {
        closure(c);
      }
    }
    Dominance result = produced;
    produced = null;
    return result;
  }

  /**
   * Every way to linearize {@link #forced} from {@code start}: directly, or after other called
   * operations. Breadth first, so that nodes having placed fewer indeterminate operations come
   * first and dominate. A node's flags hold {@link #NEED_CHANGE}, {@link #OPEN_PLACED} and, shifted
   * by {@link #PURE_SHIFT}, 1 + the index of the pure operation just placed (0 if the last was not
   * pure), to place runs of pure operations in index order.
   */
  private void closure(Configuration start) {
    visited = new Dominance();
    ArrayDeque<Configuration> queue = new ArrayDeque<>();
    visited.add(start);
    queue.add(start);
    while (!queue.isEmpty()) {
      Configuration node = queue.poll();
      if (visited.contains(node)) {
        expand(node, queue);
      }
    }
    visited = null;
  }

  private void expand(Configuration node, ArrayDeque<Configuration> queue) {
    spend();
    Object state = node.state;
    int forcedAt = Arrays.binarySearch(node.pending, forced);
    if (applicable(forced, node.pending)) {
      Object after = model.step(state, operations[forced]);
      if (after != null && ((node.flags & NEED_CHANGE) == 0 || !after.equals(state))) {
        emit(
            new Configuration(
                after,
                Configuration.withoutAt(node.pending, forcedAt),
                node.open,
                node.early,
                0,
                Configuration.Trail.push(node.trail, forced)));
      }
    }
    if (!model.mayReach(state, operations[forced], others(node, forcedAt))) {
      return;
    }
    int lastPure = (node.flags >>> PURE_SHIFT) - 1;
    boolean openPlaced = (node.flags & OPEN_PLACED) != 0;
    for (int i = 0; i < node.pending.length; i++) {
      int other = node.pending[i];
      Kind kind = kinds[other];
      if (other == forced
          || (kind == Kind.PURE && other < lastPure)
          || (openPlaced && resets[other])
          || !applicable(other, node.pending)) {
        continue;
      }
      Object after = model.step(state, operations[other]);
      if (after == null) {
        continue;
      }
      int flags =
          !after.equals(state) ? 0 : kind == Kind.PURE ? NEED_CHANGE : node.flags & NEED_CHANGE;
      if (kind == Kind.PURE) {
        flags |= (other + 1) << PURE_SHIFT;
      }
      if (kind == Kind.BLIND && openPlaced) {
        flags |= OPEN_PLACED;
      }
      int[] early = kind == Kind.BLIND ? node.early : Configuration.with(node.early, other);
      visit(
          new Configuration(
              after,
              Configuration.withoutAt(node.pending, i),
              node.open,
              early,
              flags,
              Configuration.Trail.push(node.trail, other)),
          queue);
    }
    for (int i = 0; i < node.open.length; i++) {
      int other = node.open[i];
      if ((openPlaced && resets[other])
          || !applicable(other, node.pending)
          || newerOfClassPlaceable(node, i)) {
        continue;
      }
      Object after = model.step(state, operations[other]);
      if (after == null || after.equals(state) || !observable(after, node, i)) {
        continue; // unplaced, it can still take effect later or never: that dominates.
      }
      visit(
          new Configuration(
              after,
              node.pending,
              Configuration.withoutAt(node.open, i),
              node.early,
              OPEN_PLACED,
              Configuration.Trail.push(node.trail, other)),
          queue);
    }
  }

  /**
   * Whether some non-blind operation could see the state an indeterminate operation (at {@code
   * openAt}) just produced, with no reset in between. If none could, its effect is lost before
   * anything observes it, and leaving it unplaced dominates.
   */
  private boolean observable(Object after, Configuration node, int openAt) {
    List<Operation> survivors = new ArrayList<>();
    List<Operation> targets = new ArrayList<>();
    for (int other : node.pending) {
      if (!resets[other]) {
        survivors.add(operations[other]);
      }
      if (kinds[other] != Kind.BLIND) {
        targets.add(operations[other]);
      }
    }
    for (int j = 0; j < node.open.length; j++) {
      int other = node.open[j];
      if (j != openAt && !resets[other]) {
        survivors.add(operations[other]);
      }
      if (j != openAt && kinds[other] != Kind.BLIND) {
        targets.add(operations[other]);
      }
    }
    for (Operation target : targets) {
      if (model.mayReach(after, target, survivors)) {
        return true;
      }
    }
    return false;
  }

  private void visit(Configuration node, ArrayDeque<Configuration> queue) {
    if (visited.add(node)) {
      queue.add(node);
    }
  }

  private boolean newerOfClassPlaceable(Configuration node, int openAt) {
    int openClass = openClasses[node.open[openAt]];
    for (int j = openAt + 1; j < node.open.length; j++) {
      int newer = node.open[j];
      if (openClasses[newer] == openClass && applicable(newer, node.pending)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Real-time order: an operation may be placed only after every blind operation that completed
   * before it was invoked. Other completed operations were placed at their completion at the
   * latest, and indeterminate ones never complete, so neither blocks.
   */
  private boolean applicable(int operation, int[] pending) {
    int call = calls[operation];
    for (int other : pending) {
      if (kinds[other] == Kind.BLIND && returns[other] < call) {
        return false;
      }
    }
    return true;
  }

  private List<Operation> others(Configuration node, int skipAt) {
    int[] pending = node.pending;
    int[] open = node.open;
    int pendingCount = skipAt >= 0 ? pending.length - 1 : pending.length;
    return new AbstractList<>() {
      @Override
      public Operation get(int index) {
        if (index >= pendingCount) {
          return operations[open[index - pendingCount]];
        }
        return operations[pending[skipAt >= 0 && index >= skipAt ? index + 1 : index]];
      }

      @Override
      public int size() {
        return pendingCount + open.length;
      }
    };
  }

  private void emit(Configuration c) {
    produced.add(c);
    spend();
  }

  private void spend() {
    int held = produced.size() + (visited == null ? 0 : visited.size());
    if (held > configurationsMax) {
      throw new BudgetExhausted(
          "more than "
              + configurationsMax
              + " search configurations at once, at line "
              + lineOf(forced));
    }
    if ((++work & 1023) == 0) {
      if (stop.get()) {
        cancelled = true;
        throw new BudgetExhausted("cancelled: another key is not linearizable");
      }
      if (System.nanoTime() - deadlineNanos > 0) {
        throw new BudgetExhausted("time budget ran out at line " + lineOf(forced));
      }
    }
  }

  private int lineOf(int operation) {
    Operation o = operations[operation];
    return o.completeLine() > 0 ? o.completeLine() : o.invokeLine();
  }

  private Result failure(Dominance current, int operation) {
    Configuration.Trail longest = null;
    for (Configuration c : current.members()) {
      if (c.trail != null && (longest == null || c.trail.length() > longest.length())) {
        longest = c.trail;
      }
    }
    List<Operation> prefix = new ArrayList<>();
    for (Configuration.Trail t = longest; t != null; t = t.previous()) {
      prefix.add(operations[t.operation()]);
    }
    Collections.reverse(prefix);
    return new Result(Verdict.Result.NOT_LINEARIZABLE, operations[operation], prefix, null);
  }
}
