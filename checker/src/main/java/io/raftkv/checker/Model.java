package io.raftkv.checker;

import java.util.List;

/**
 * A sequential specification. States are immutable values with equals and hashCode; the search
 * memoises on them. To add a model, implement this interface in one class and list it in {@link
 * Models}.
 */
public interface Model {
  /** The name used on the command line and in manifests, e.g. {@code register}. */
  String name();

  /** The state every key starts in. */
  Object initialState();

  /** Null when the model understands the operation, otherwise what is wrong with it. */
  String validate(Operation operation);

  /** How the operation can interact with the state; see {@link Kind}. */
  Kind kind(Operation operation);

  /**
   * The state after the operation, or null when the operation, with its outcome and output, could
   * not have happened in {@code state}. An {@link Outcome#UNKNOWN} operation is applied as having
   * taken effect, with its output unknown.
   */
  Object step(Object state, Operation operation);

  /**
   * A pruning hint: false only when no sequence of {@code others} applied to {@code state} could
   * make {@code target} legal afterwards. The default never prunes. A wrong false is a wrong
   * verdict, so keep it to facts that are obviously true.
   */
  default boolean mayReach(Object state, Operation target, List<Operation> others) {
    return true;
  }

  /**
   * True when the operation is legal in every state and the state after it does not depend on the
   * state before (a write, a put). The search uses it to skip indeterminate operations whose effect
   * would be erased anyway. The default, false, is always safe.
   */
  default boolean resets(Operation operation) {
    return false;
  }

  /**
   * Whether {@code reader}, a completed operation, may tell that the indeterminate {@code write}
   * took effect: false only when, in any sequence where {@code write} took effect and {@code
   * reader} follows it with nothing resetting the state in between, {@code reader} would stay legal
   * with {@code write} left out, and so would everything else between them.
   *
   * <p>The search uses it to retire an indeterminate operation once every operation that may
   * observe it has been linearized: linearizing it never is then as good as anything (see
   * docs/checker.md, "Retiring indeterminate operations"). The default, true, never retires.
   */
  default boolean mayObserve(Operation reader, Operation write) {
    return true;
  }

  /**
   * A speed-up for {@link #mayObserve} on long histories: for each of {@code writes}, the positions
   * in {@code readers} (ascending) of at least every reader that may observe it, or null for "any
   * reader may"; a null array means null for all. Candidates are still checked with {@link
   * #mayObserve}, so a superset is harmless and a missing observer is a wrong verdict.
   */
  default int[][] observerCandidates(List<Operation> writes, List<Operation> readers) {
    return null;
  }

  /** Whether histories are split per key and each key checked on its own (P-compositionality). */
  default boolean partitionedByKey() {
    return true;
  }

  /** A short human form of a state for reports. */
  default String showState(Object state) {
    return Values.show(state);
  }
}
