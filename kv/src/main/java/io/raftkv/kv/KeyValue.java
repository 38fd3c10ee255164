package io.raftkv.kv;

/**
 * A key at one revision, as etcd's mvccpb.KeyValue. {@code version} is 1 on creation, +1 per write,
 * and starts again at 1 after a delete; {@code lease} is 0 when none. In a DELETE event only {@code
 * key} and {@code modRevision} are set, as in etcd.
 */
public record KeyValue(
    Bytes key, long createRevision, long modRevision, long version, Bytes value, long lease) {

  /** The same key-value without its value, for keys_only reads. */
  KeyValue withoutValue() {
    return new KeyValue(key, createRevision, modRevision, version, Bytes.empty(), lease);
  }

  @Override
  public String toString() {
    return "KeyValue[key="
        + key
        + " create="
        + createRevision
        + " mod="
        + modRevision
        + " version="
        + version
        + " valueBytes="
        + value.length()
        + " lease="
        + lease
        + "]";
  }
}
