package io.raftkv.kv;

/** etcd's CompactionResponse. */
public record CompactResponse(long revision) implements Response {}
