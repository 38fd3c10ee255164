package io.raftkv.kv;

/**
 * etcd's Compare: {@code target(key) result operand}, over one key or, with {@code rangeEnd}, every
 * key of a range (all must hold). A missing key has version, create and mod revision and lease 0,
 * and fails every VALUE compare, as in etcd.
 */
public record Compare(
    Target target, Result result, Bytes key, Bytes rangeEnd, long number, Bytes value) {

  public enum Target {
    VERSION,
    CREATE,
    MOD,
    VALUE,
    LEASE
  }

  public enum Result {
    EQUAL,
    GREATER,
    LESS,
    NOT_EQUAL
  }

  public static Compare value(Bytes key, Result result, Bytes operand) {
    return new Compare(Target.VALUE, result, key, Bytes.empty(), 0, operand);
  }

  /** A compare on a number: VERSION, CREATE, MOD or LEASE. */
  public static Compare number(Target target, Bytes key, Result result, long operand) {
    if (target == Target.VALUE) {
      throw new IllegalArgumentException("a VALUE compare takes bytes: use Compare.value");
    }
    return new Compare(target, result, key, Bytes.empty(), operand, Bytes.empty());
  }

  public Compare overRange(Bytes end) {
    return new Compare(target, result, key, end, number, value);
  }
}
