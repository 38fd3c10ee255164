package io.raftkv.kv;

import java.util.Optional;

/** etcd's PutResponse; {@code prevKv} only when asked for and the key existed. */
public record PutResponse(long revision, Optional<KeyValue> prevKv) implements Response {}
