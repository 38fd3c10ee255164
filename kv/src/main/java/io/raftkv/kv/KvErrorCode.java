package io.raftkv.kv;

/**
 * Why a request was refused. The messages are etcd's own wherever etcd has the same error, so the
 * server can hand them to etcd clients unchanged; ours start with "raftkv:".
 */
public enum KvErrorCode {
  EMPTY_KEY("etcdserver: key is not provided"),
  KEY_NOT_FOUND("etcdserver: key not found"),
  VALUE_PROVIDED("etcdserver: value is provided"),
  LEASE_PROVIDED("etcdserver: lease is provided"),
  TOO_MANY_TXN_OPS("etcdserver: too many operations in txn request"),
  DUPLICATE_KEY("etcdserver: duplicate key given in txn request"),
  REQUEST_TOO_LARGE("etcdserver: request is too large"),
  COMPACTED("mvcc: required revision has been compacted"),
  FUTURE_REVISION("mvcc: required revision is a future revision"),
  LEASE_NOT_FOUND("etcdserver: requested lease not found"),
  LEASE_EXISTS("etcdserver: lease already exists"),
  LEASE_TTL_TOO_LARGE("etcdserver: too large lease TTL"),
  EMPTY_WATCH_RANGE("mvcc: watcher range is empty"),
  INVALID_ARGUMENT("raftkv: invalid argument"),
  MALFORMED_COMMAND("raftkv: malformed command"),
  SESSION_EXPIRED("raftkv: client session expired or unknown"),
  SESSION_SEQUENCE_STALE("raftkv: sequence number older than the session's last one"),
  WATCH_CANCELED("raftkv: watch canceled");

  private final String etcdMessage;

  KvErrorCode(String etcdMessage) {
    this.etcdMessage = etcdMessage;
  }

  /** The message etcd gives for this error (the text etcd clients match on). */
  public String message() {
    return etcdMessage;
  }
}
