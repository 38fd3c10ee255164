package io.raftkv.kv;

/**
 * The bounds the store enforces (STYLE.md §5).
 *
 * @param requestBytesMax keys, range ends and values of one request together, etcd's
 *     --max-request-bytes (1.5 MiB)
 * @param txnOpsMax operations in one txn branch, etcd's --max-txn-ops (128)
 * @param txnDepthMax nesting of transactions, so a hostile command cannot exhaust the stack
 * @param leaseTtlMinSeconds a shorter TTL is raised to this, as etcd's minimum lease TTL
 * @param sessionsMax client sessions kept; the least recently used is dropped beyond it
 * @param watchEventsMax events buffered per watcher before it falls back to catching up
 * @param compactionSliceKeysMax keys physical compaction visits per apply: it bounds the apply
 *     pause a compaction adds (about 1 µs a key), at the cost of old versions lingering longer
 */
public record KvLimits(
    int requestBytesMax,
    int txnOpsMax,
    int txnDepthMax,
    long leaseTtlMinSeconds,
    int sessionsMax,
    int watchEventsMax,
    int compactionSliceKeysMax) {

  static final int COMPACTION_SLICE_KEYS_DEFAULT = 512;

  /** etcd's limit: larger TTLs are refused with "too large lease TTL". */
  static final long LEASE_TTL_MAX_SECONDS = 9_000_000_000L;

  public KvLimits {
    if (requestBytesMax < 1
        || txnOpsMax < 1
        || txnDepthMax < 1
        || leaseTtlMinSeconds < 1
        || sessionsMax < 1
        || watchEventsMax < 1
        || compactionSliceKeysMax < 1) {
      throw new IllegalArgumentException("every limit must be at least 1: " + this);
    }
  }

  /** The limits before compaction slices existed; slices get the default size. */
  public KvLimits(
      int requestBytesMax,
      int txnOpsMax,
      int txnDepthMax,
      long leaseTtlMinSeconds,
      int sessionsMax,
      int watchEventsMax) {
    this(
        requestBytesMax,
        txnOpsMax,
        txnDepthMax,
        leaseTtlMinSeconds,
        sessionsMax,
        watchEventsMax,
        COMPACTION_SLICE_KEYS_DEFAULT);
  }

  public static KvLimits defaults() {
    return new KvLimits(3 * 1024 * 1024 / 2, 128, 16, 2, 10_000, 10_000);
  }

  public KvLimits withCompactionSliceKeysMax(int keysMax) {
    return new KvLimits(
        requestBytesMax,
        txnOpsMax,
        txnDepthMax,
        leaseTtlMinSeconds,
        sessionsMax,
        watchEventsMax,
        keysMax);
  }
}
