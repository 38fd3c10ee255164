package io.raftkv.checker;

/**
 * How an operation can interact with a model's state; the search uses it to avoid trying orders
 * that cannot matter. A model must never claim more than is true: a wrong kind is a wrong verdict.
 */
public enum Kind {
  /** Constrains nothing (a failed write, a read whose result is unknown): dropped. */
  IGNORED,
  /** Never changes the state, whatever the state (a read, a compare-and-set that failed). */
  PURE,
  /** Legal in every state (a write, an append): only later reads can tell where it went. */
  BLIND,
  /** Anything else, e.g. a successful compare-and-set. */
  GENERAL
}
