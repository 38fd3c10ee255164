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

  /** Checks with {@link Budget#DEFAULT}, one key at a time. */
  public static Verdict check(History history, Model model) throws MalformedHistoryException {
    return check(history, model, Budget.DEFAULT);
  }

  /** Checks one key at a time, in the order keys first appear: the answer is reproducible. */
  public static Verdict check(History history, Model model, Budget budget)
      throws MalformedHistoryException {
    return check(history, model, budget, 1, Progress.NONE);
  }

  /** Told each time a key is found linearizable, from the thread that searched it. */
  @FunctionalInterface
  public interface Progress {
    Progress NONE = operationCount -> {};

    /** A key with {@code operationCount} operations was found linearizable. */
    void keyDecided(int operationCount);
  }

  /**
   * Checks a history, searching up to {@code jobs} keys at once. Each key gets its own share of the
   * time budget (see {@link KeyChecks}), so a key that is hard to decide cannot keep the others
   * from being decided: the answer is unknown only when some key is undecided and none is refuted.
   * With more than one job and more than one refutable key, which refuted key is reported depends
   * on timing.
   *
   * @throws MalformedHistoryException when an operation does not fit the model (unknown function,
   *     value of the wrong shape); the message names the file and line
   */
  public static Verdict check(
      History history, Model model, Budget budget, int jobs, Progress progress)
      throws MalformedHistoryException {
    if (jobs < 1) {
      throw new IllegalArgumentException("jobs must be positive, got " + jobs);
    }
    for (Operation operation : history.operations()) {
      String problem = model.validate(operation);
      if (problem != null) {
        throw new MalformedHistoryException(history.source(), operation.invokeLine(), problem);
      }
    }
    long started = System.nanoTime();
    long deadline = started + budget.timeout().toNanos();
    // Two passes: every key with a small configuration budget first, so that a key that is cheap
    // to refute decides the history before an expensive key uses the whole budget; then the keys
    // left undecided, with the full budget and the time left.
    List<Map.Entry<Object, List<Operation>>> undecided =
        new ArrayList<>(partitions(history, model).entrySet());
    List<KeyChecks.Answer> unknown = List.of();
    int threads = history.operations().size() < PARALLEL_OPERATIONS_MIN ? 1 : jobs;
    for (int configurationsMax : passes(budget)) {
      List<KeyChecks.Answer> answers =
          KeyChecks.run(model, undecided, configurationsMax, deadline, threads, progress);
      List<Map.Entry<Object, List<Operation>>> left = new ArrayList<>();
      List<KeyChecks.Answer> leftAnswers = new ArrayList<>();
      for (int i = 0; i < answers.size(); i++) {
        KeyChecks.Answer answer = answers.get(i);
        if (answer.result().result() == Verdict.Result.NOT_LINEARIZABLE) {
          // A definite no on one key decides the history, whatever the other keys say.
          return new Verdict(
              Verdict.Result.NOT_LINEARIZABLE,
              shownKey(answer.key()),
              answer.result().operation(),
              answer.result().prefix(),
              null,
              history.operations().size(),
              since(started));
        }
        if (answer.result().result() == Verdict.Result.UNKNOWN) {
          left.add(undecided.get(i));
          leftAnswers.add(answer);
        }
      }
      undecided = left;
      unknown = leftAnswers;
    }
    return new Verdict(
        unknown.isEmpty() ? Verdict.Result.LINEARIZABLE : Verdict.Result.UNKNOWN,
        null,
        null,
        List.of(),
        unknown.isEmpty() ? null : unknownReason(unknown),
        history.operations().size(),
        since(started));
  }

  private static Object shownKey(Object key) {
    return key == NO_KEY ? null : key;
  }

  /** The first undecided key and why, and how many others are undecided. */
  private static String unknownReason(List<KeyChecks.Answer> unknown) {
    KeyChecks.Answer first = unknown.get(0);
    Object key = shownKey(first.key());
    String reason = (key == null ? "" : "key " + Values.show(key) + ": ") + first.result().reason();
    return unknown.size() == 1
        ? reason
        : reason + "; " + (unknown.size() - 1) + " more keys undecided";
  }

  /** Below this, starting threads costs more than the keys' searches (milliseconds each). */
  private static final int PARALLEL_OPERATIONS_MIN = 10_000;

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
