package io.raftkv.checker;

import java.util.List;

/**
 * The key-value model of the shared kv histories: get / put / append on strings, every key starting
 * as the empty string (so "unset" and "" cannot be told apart).
 */
final class KvModel implements Model {
  static final KvModel INSTANCE = new KvModel();

  private KvModel() {}

  @Override
  public String name() {
    return "kv";
  }

  @Override
  public Object initialState() {
    return "";
  }

  @Override
  public String validate(Operation operation) {
    return switch (operation.function()) {
      case "get" ->
          operation.outcome() != Outcome.OK || isText(operation.output())
              ? null
              : "get returned " + Values.show(operation.output()) + ", not a string";
      case "put", "append" ->
          operation.input() instanceof String
              ? null
              : operation.function() + " of " + Values.show(operation.input()) + ", not a string";
      default -> "kv has no operation '" + operation.function() + "' (expected get, put or append)";
    };
  }

  private static boolean isText(Object value) {
    return value instanceof String || value == Values.NIL;
  }

  @Override
  public Kind kind(Operation operation) {
    return switch (operation.function()) {
      case "get" -> operation.outcome() == Outcome.OK ? Kind.PURE : Kind.IGNORED;
      default -> operation.outcome() == Outcome.FAIL ? Kind.IGNORED : Kind.BLIND;
    };
  }

  @Override
  public boolean resets(Operation operation) {
    return operation.function().equals("put") && operation.outcome() != Outcome.FAIL;
  }

  @Override
  public Object step(Object state, Operation operation) {
    return switch (operation.function()) {
      case "get" -> state.equals(read(operation)) ? state : null;
      case "put" -> operation.input();
      case "append" -> ((String) state).concat((String) operation.input());
      default -> throw new IllegalArgumentException("unvalidated " + operation.function());
    };
  }

  /** A get's nil result means the empty value, which is what an unset key holds. */
  private static String read(Operation get) {
    return get.output() == Values.NIL ? "" : (String) get.output();
  }

  /**
   * Only a get sees anything. After a put of v every state until the next put starts with v; after
   * an append of v every state until the next put contains v. A get that does not show v cannot
   * follow the write before a put, and appends and puts are legal in any state, so leaving the
   * write out changes nothing any get sees.
   */
  @Override
  public boolean mayObserve(Operation reader, Operation write) {
    if (!reader.function().equals("get")) {
      return false;
    }
    String seen = read(reader);
    String written = (String) write.input();
    return write.function().equals("put") ? seen.startsWith(written) : seen.contains(written);
  }

  @Override
  public int[][] observerCandidates(List<Operation> writes, List<Operation> readers) {
    return KvObservers.candidates(writes, readers);
  }

  /** Appends only extend the value, so it must be a prefix of what the get saw, or a put resets. */
  @Override
  public boolean mayReach(Object state, Operation target, List<Operation> others) {
    if (!target.function().equals("get")) {
      return true;
    }
    String wanted = read(target);
    if (wanted.startsWith((String) state)) {
      return true;
    }
    for (Operation other : others) {
      if (other.function().equals("put") && wanted.startsWith((String) other.input())) {
        return true;
      }
    }
    return false;
  }
}
