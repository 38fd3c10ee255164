package io.raftkv.kv;

import java.util.Optional;

/**
 * One change seen by a watcher, as etcd's mvccpb.Event. {@code prevKv} is the key before the
 * change, present only when the watch asked for it and the key existed.
 */
public record Event(Type type, KeyValue kv, Optional<KeyValue> prevKv) {
  public enum Type {
    PUT,
    DELETE
  }

  public long revision() {
    return kv.modRevision();
  }
}
