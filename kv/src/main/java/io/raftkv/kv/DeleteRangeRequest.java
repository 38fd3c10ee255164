package io.raftkv.kv;

/** etcd's DeleteRangeRequest; {@code rangeEnd} follows {@link RangeRequest}'s conventions. */
public record DeleteRangeRequest(Bytes key, Bytes rangeEnd, boolean prevKv) implements TxnOp {

  public static DeleteRangeRequest of(Bytes key) {
    return new DeleteRangeRequest(key, Bytes.empty(), false);
  }

  public static DeleteRangeRequest range(Bytes key, Bytes rangeEnd) {
    return new DeleteRangeRequest(key, rangeEnd, false);
  }

  public DeleteRangeRequest withPrevKv() {
    return new DeleteRangeRequest(key, rangeEnd, true);
  }
}
