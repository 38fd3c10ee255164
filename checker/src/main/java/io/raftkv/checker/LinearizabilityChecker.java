package io.raftkv.checker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The library entry point: is this history linearizable under this model? Splits the history per
 * key (P-compositionality: a history is linearizable iff each key's sub-history is) and searches
 * each key on its own. Never guesses: when the budget runs out the answer is {@link
 * Verdict.Result#UNKNOWN}.
 */
public final class LinearizabilityChecker {
  private LinearizabilityChecker() {}

  /** Checks with {@link Budget#DEFAULT}. */
  public static Verdict check(History history, Model model) throws MalformedHistoryException {
    return check(history, model, Budget.DEFAULT);
  }

  /**
   * Checks a history.
   *
   * @throws MalformedHistoryException when an operation does not fit the model (unknown function,
   *     value of the wrong shape); the message names the file and line
   */
  public static Verdict check(History history, Model model, Budget budget)
      throws MalformedHistoryException {
    for (Operation operation : history.operations()) {
      String problem = model.validate(operation);
      if (problem != null) {
        throw new MalformedHistoryException(history.source(), operation.invokeLine(), problem);
      }
    }
    long started = System.nanoTime();
    long deadline = started + budget.timeout().toNanos();
    // Two passes: every key with a small budget first, so that a key that is cheap to refute
    // decides the history before an expensive key uses the whole budget; then the keys left
    // undecided, with the full budget.
    List<Map.Entry<Object, List<Operation>>> undecided =
        new ArrayList<>(partitions(history, model).entrySet());
    String unknownReason = null;
    for (int configurationsMax : passes(budget)) {
      List<Map.Entry<Object, List<Operation>>> left = new ArrayList<>();
      unknownReason = null;
      for (Map.Entry<Object, List<Operation>> partition : undecided) {
        Search.Result result =
            new Search(model, partition.getValue(), configurationsMax, deadline).run();
        Object key = partition.getKey() == NO_KEY ? null : partition.getKey();
        switch (result.result()) {
          case NOT_LINEARIZABLE -> {
            // A definite no on one key decides the history, whatever the other keys say.
            return new Verdict(
                Verdict.Result.NOT_LINEARIZABLE,
                key,
                result.operation(),
                result.prefix(),
                null,
                history.operations().size(),
                since(started));
          }
          case UNKNOWN -> {
            left.add(partition);
            if (unknownReason == null) {
              unknownReason =
                  (key == null ? "" : "key " + Values.show(key) + ": ") + result.reason();
            }
          }
          case LINEARIZABLE -> {}
        }
      }
      undecided = left;
    }
    Verdict.Result answer =
        unknownReason == null ? Verdict.Result.LINEARIZABLE : Verdict.Result.UNKNOWN;
    return new Verdict(
        answer, null, null, List.of(), unknownReason, history.operations().size(), since(started));
  }

  private static final int FIRST_PASS_CONFIGURATIONS_MAX = 20_000;

  private static int[] passes(Budget budget) {
    return budget.configurationsMax() <= FIRST_PASS_CONFIGURATIONS_MAX
        ? new int[] {budget.configurationsMax()}
        : new int[] {FIRST_PASS_CONFIGURATIONS_MAX, budget.configurationsMax()};
  }

  private static final Object NO_KEY = new Object();

  /** Operations grouped per key, keys in order of first invocation. */
  static Map<Object, List<Operation>> partitions(History history, Model model) {
    Map<Object, List<Operation>> partitions = new LinkedHashMap<>();
    for (Operation operation : history.operations()) {
      Object key = model.partitionedByKey() && operation.key() != null ? operation.key() : NO_KEY;
      partitions.computeIfAbsent(key, k -> new ArrayList<>()).add(operation);
    }
    return partitions;
  }

  /** The sub-history of one key (null: the unkeyed operations), for reports. */
  static List<Operation> operationsOf(History history, Model model, Object key) {
    return partitions(history, model).getOrDefault(key == null ? NO_KEY : key, List.of());
  }

  private static Duration since(long startedNanos) {
    return Duration.ofNanos(System.nanoTime() - startedNanos);
  }
}
