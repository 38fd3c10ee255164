package io.raftkv.kv;

import io.raftkv.kv.RangeRequest.SortOrder;
import io.raftkv.kv.RangeRequest.SortTarget;

/**
 * The byte each enum constant has on the wire. Spelled out, not taken from ordinal(), so that
 * reordering an enum cannot change what an old log means. Append only; never reuse a byte.
 */
final class WireEnums {
  private WireEnums() {}

  static final SortOrder[] SORT_ORDERS = {SortOrder.NONE, SortOrder.ASCEND, SortOrder.DESCEND};
  static final SortTarget[] SORT_TARGETS = {SortTarget.KEY, SortTarget.VERSION,
      SortTarget.CREATE, SortTarget.MOD, SortTarget.VALUE};
  static final Compare.Target[] COMPARE_TARGETS = {Compare.Target.VERSION,
      Compare.Target.CREATE, Compare.Target.MOD, Compare.Target.VALUE, Compare.Target.LEASE};
  static final Compare.Result[] COMPARE_RESULTS = {Compare.Result.EQUAL,
      Compare.Result.GREATER, Compare.Result.LESS, Compare.Result.NOT_EQUAL};
  static final KvErrorCode[] ERROR_CODES = {KvErrorCode.EMPTY_KEY, KvErrorCode.KEY_NOT_FOUND,
      KvErrorCode.VALUE_PROVIDED, KvErrorCode.LEASE_PROVIDED, KvErrorCode.TOO_MANY_TXN_OPS,
      KvErrorCode.DUPLICATE_KEY, KvErrorCode.REQUEST_TOO_LARGE, KvErrorCode.COMPACTED,
      KvErrorCode.FUTURE_REVISION, KvErrorCode.LEASE_NOT_FOUND, KvErrorCode.LEASE_EXISTS,
      KvErrorCode.LEASE_TTL_TOO_LARGE, KvErrorCode.EMPTY_WATCH_RANGE,
      KvErrorCode.INVALID_ARGUMENT, KvErrorCode.MALFORMED_COMMAND, KvErrorCode.SESSION_EXPIRED,
      KvErrorCode.SESSION_SEQUENCE_STALE, KvErrorCode.WATCH_CANCELED};

  static <E> int code(E[] table, E value) {
    for (int i = 0; i < table.length; i++) {
      if (table[i] == value) {
        return i;
      }
    }
    throw new InvariantViolation("no wire code for " + value);
  }
}
