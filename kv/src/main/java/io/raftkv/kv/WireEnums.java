package io.raftkv.kv;

/**
 * The byte each enum constant has in a stored session response (ResponseCodec, inside snapshots).
 * Spelled out, not taken from ordinal(), so that reordering an enum cannot change what an old
 * snapshot means. Append only; never reuse a byte. (Commands are protobuf: their enum numbers are
 * in command.proto.)
 */
final class WireEnums {
  private WireEnums() {}

  static final KvErrorCode[] ERROR_CODES = {
    KvErrorCode.EMPTY_KEY,
    KvErrorCode.KEY_NOT_FOUND,
    KvErrorCode.VALUE_PROVIDED,
    KvErrorCode.LEASE_PROVIDED,
    KvErrorCode.TOO_MANY_TXN_OPS,
    KvErrorCode.DUPLICATE_KEY,
    KvErrorCode.REQUEST_TOO_LARGE,
    KvErrorCode.COMPACTED,
    KvErrorCode.FUTURE_REVISION,
    KvErrorCode.LEASE_NOT_FOUND,
    KvErrorCode.LEASE_EXISTS,
    KvErrorCode.LEASE_TTL_TOO_LARGE,
    KvErrorCode.EMPTY_WATCH_RANGE,
    KvErrorCode.INVALID_ARGUMENT,
    KvErrorCode.MALFORMED_COMMAND,
    KvErrorCode.SESSION_EXPIRED,
    KvErrorCode.SESSION_SEQUENCE_STALE,
    KvErrorCode.WATCH_CANCELED
  };

  static <E> int code(E[] table, E value) {
    for (int i = 0; i < table.length; i++) {
      if (table[i] == value) {
        return i;
      }
    }
    throw new InvariantViolation("no wire code for " + value);
  }
}
