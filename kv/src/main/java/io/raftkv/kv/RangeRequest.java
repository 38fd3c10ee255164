package io.raftkv.kv;

/**
 * etcd's RangeRequest. {@code rangeEnd} empty reads one key, {@code "\0"} reads every key from
 * {@code key} on, anything else reads {@code [key, rangeEnd)}. {@code revision} 0 reads the current
 * revision. {@code limit} 0 means no limit; min/max revision filters of 0 are off.
 */
public record RangeRequest(
    Bytes key,
    Bytes rangeEnd,
    long limit,
    long revision,
    SortOrder sortOrder,
    SortTarget sortTarget,
    boolean keysOnly,
    boolean countOnly,
    long minModRevision,
    long maxModRevision,
    long minCreateRevision,
    long maxCreateRevision)
    implements TxnOp {

  public enum SortOrder {
    NONE,
    ASCEND,
    DESCEND
  }

  public enum SortTarget {
    KEY,
    VERSION,
    CREATE,
    MOD,
    VALUE
  }

  public static RangeRequest of(Bytes key) {
    return range(key, Bytes.empty());
  }

  public static RangeRequest range(Bytes key, Bytes rangeEnd) {
    return new RangeRequest(
        key, rangeEnd, 0, 0, SortOrder.NONE, SortTarget.KEY, false, false, 0, 0, 0, 0);
  }

  /** Every key starting with {@code prefix}, as {@code etcdctl get --prefix}. */
  public static RangeRequest prefix(Bytes prefix) {
    return range(prefix, KeyRange.prefixEnd(prefix));
  }

  public RangeRequest withLimit(long newLimit) {
    return new RangeRequest(
        key,
        rangeEnd,
        newLimit,
        revision,
        sortOrder,
        sortTarget,
        keysOnly,
        countOnly,
        minModRevision,
        maxModRevision,
        minCreateRevision,
        maxCreateRevision);
  }

  public RangeRequest atRevision(long newRevision) {
    return new RangeRequest(
        key,
        rangeEnd,
        limit,
        newRevision,
        sortOrder,
        sortTarget,
        keysOnly,
        countOnly,
        minModRevision,
        maxModRevision,
        minCreateRevision,
        maxCreateRevision);
  }

  public RangeRequest sorted(SortOrder order, SortTarget target) {
    return new RangeRequest(
        key,
        rangeEnd,
        limit,
        revision,
        order,
        target,
        keysOnly,
        countOnly,
        minModRevision,
        maxModRevision,
        minCreateRevision,
        maxCreateRevision);
  }

  public RangeRequest withKeysOnly() {
    return new RangeRequest(
        key,
        rangeEnd,
        limit,
        revision,
        sortOrder,
        sortTarget,
        true,
        countOnly,
        minModRevision,
        maxModRevision,
        minCreateRevision,
        maxCreateRevision);
  }

  public RangeRequest withCountOnly() {
    return new RangeRequest(
        key,
        rangeEnd,
        limit,
        revision,
        sortOrder,
        sortTarget,
        keysOnly,
        true,
        minModRevision,
        maxModRevision,
        minCreateRevision,
        maxCreateRevision);
  }

  public RangeRequest withModRevisions(long min, long max) {
    return new RangeRequest(
        key,
        rangeEnd,
        limit,
        revision,
        sortOrder,
        sortTarget,
        keysOnly,
        countOnly,
        min,
        max,
        minCreateRevision,
        maxCreateRevision);
  }

  public RangeRequest withCreateRevisions(long min, long max) {
    return new RangeRequest(
        key,
        rangeEnd,
        limit,
        revision,
        sortOrder,
        sortTarget,
        keysOnly,
        countOnly,
        minModRevision,
        maxModRevision,
        min,
        max);
  }
}
