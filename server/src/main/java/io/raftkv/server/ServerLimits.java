package io.raftkv.server;

/**
 * The request limits of a node, as etcd's flags name them.
 *
 * @param maxRequestBytes {@code --max-request-bytes}: a larger request is refused (etcd's
 *     "etcdserver: request is too large")
 * @param maxTxnOps {@code --max-txn-ops}: operations in one txn branch
 * @param quotaBackendBytes {@code --quota-backend-bytes}: past this much data on disk the node
 *     raises NOSPACE
 */
public record ServerLimits(int maxRequestBytes, int maxTxnOps, long quotaBackendBytes) {
  /** etcd's defaults: 1.5 MiB, 128 operations, 2 GiB. */
  public static final int MAX_REQUEST_BYTES_DEFAULT = 3 * 1024 * 1024 / 2;

  public static final int MAX_TXN_OPS_DEFAULT = 128;
  public static final long QUOTA_BACKEND_BYTES_DEFAULT = 2L << 30;

  public ServerLimits {
    if (maxRequestBytes < 1 || maxTxnOps < 1 || quotaBackendBytes < 1) {
      throw new IllegalArgumentException("every server limit must be at least 1: " + this);
    }
  }

  public static ServerLimits defaults() {
    return new ServerLimits(
        MAX_REQUEST_BYTES_DEFAULT, MAX_TXN_OPS_DEFAULT, QUOTA_BACKEND_BYTES_DEFAULT);
  }
}
