package io.raftkv.checker;

import java.util.List;

/**
 * A read / write / compare-and-set register per key. Values are JSON scalars; a key never written
 * reads as nil. {@code cas} takes {@code [from, to]}.
 */
final class RegisterModel implements Model {
  static final RegisterModel INSTANCE = new RegisterModel();

  private RegisterModel() {}

  @Override
  public String name() {
    return "register";
  }

  @Override
  public Object initialState() {
    return Values.NIL;
  }

  @Override
  public String validate(Operation operation) {
    return switch (operation.function()) {
      case "read" ->
          operation.outcome() == Outcome.OK && !isScalar(operation.output())
              ? "read returned " + Values.show(operation.output()) + ", not a scalar"
              : null;
      case "write" ->
          isScalar(operation.input())
              ? null
              : "write of " + Values.show(operation.input()) + ", not a scalar";
      case "cas" ->
          operation.input() instanceof List<?> pair
                  && pair.size() == 2
                  && isScalar(pair.get(0))
                  && isScalar(pair.get(1))
              ? null
              : "cas needs [from, to], got " + Values.show(operation.input());
      default ->
          "register has no operation '" + operation.function() + "' (expected read, write or cas)";
    };
  }

  private static boolean isScalar(Object value) {
    return !(value instanceof List<?>) && !(value instanceof java.util.Map<?, ?>);
  }

  @Override
  public Kind kind(Operation operation) {
    if (operation.outcome() == Outcome.FAIL && operation.error() != null) {
      return Kind.IGNORED;
    }
    return switch (operation.function()) {
      case "read" -> operation.outcome() == Outcome.OK ? Kind.PURE : Kind.IGNORED;
      case "write" -> operation.outcome() == Outcome.FAIL ? Kind.IGNORED : Kind.BLIND;
      // A failed cas evaluated its comparison: a pure check that the value differed.
      case "cas" -> operation.outcome() == Outcome.FAIL ? Kind.PURE : Kind.GENERAL;
      default -> throw new IllegalArgumentException("unvalidated " + operation.function());
    };
  }

  @Override
  public boolean resets(Operation operation) {
    return operation.function().equals("write") && operation.outcome() != Outcome.FAIL;
  }

  @Override
  public Object step(Object state, Operation operation) {
    switch (operation.function()) {
      case "read":
        return state.equals(operation.output()) ? state : null;
      case "write":
        return operation.input();
      case "cas":
        List<?> pair = (List<?>) operation.input();
        boolean matches = state.equals(pair.get(0));
        return switch (operation.outcome()) {
          case OK -> matches ? pair.get(1) : null;
          case FAIL -> matches ? null : state;
          case UNKNOWN -> matches ? pair.get(1) : state;
        };
      default:
        throw new IllegalArgumentException("unvalidated " + operation.function());
    }
  }

  /**
   * While the register holds the value v that {@code write} wrote (a write's input, an
   * indeterminate cas's {@code to}), a read must return v, a successful cas must compare with v,
   * and a failed cas must not: a failed cas observes every write, because without the write the
   * register could hold its {@code from}. An indeterminate cas comparing with something else is a
   * no-op there and may be left out too. Writes are legal in any state.
   */
  @Override
  public boolean mayObserve(Operation reader, Operation write) {
    Object written =
        write.function().equals("write") ? write.input() : ((List<?>) write.input()).get(1);
    return switch (reader.function()) {
      case "read" -> reader.output().equals(written);
      case "cas" ->
          reader.outcome() == Outcome.FAIL || ((List<?>) reader.input()).get(0).equals(written);
      default -> false;
    };
  }

  /** Only a write of the wanted value, or a cas to it, can make the register hold it. */
  @Override
  public boolean mayReach(Object state, Operation target, List<Operation> others) {
    Object wanted;
    if (target.function().equals("read")) {
      wanted = target.output();
    } else if (target.function().equals("cas") && target.outcome() == Outcome.OK) {
      wanted = ((List<?>) target.input()).get(0);
    } else {
      return true;
    }
    if (state.equals(wanted)) {
      return true;
    }
    for (Operation other : others) {
      Object written =
          switch (other.function()) {
            case "write" -> other.input();
            case "cas" -> other.outcome() == Outcome.FAIL ? null : ((List<?>) other.input()).get(1);
            default -> null;
          };
      if (wanted.equals(written)) {
        return true;
      }
    }
    return false;
  }
}
