package io.raftkv.kv;

/**
 * etcd's PutRequest. {@code ignoreValue} keeps the key's current value and {@code ignoreLease} its
 * current lease; both need the key to exist and the matching field left empty / zero.
 */
public record PutRequest(
    Bytes key, Bytes value, long lease, boolean prevKv, boolean ignoreValue, boolean ignoreLease)
    implements TxnOp {

  public static PutRequest of(Bytes key, Bytes value) {
    return new PutRequest(key, value, 0, false, false, false);
  }

  public PutRequest withLease(long leaseId) {
    return new PutRequest(key, value, leaseId, prevKv, ignoreValue, ignoreLease);
  }

  public PutRequest withPrevKv() {
    return new PutRequest(key, value, lease, true, ignoreValue, ignoreLease);
  }
}
