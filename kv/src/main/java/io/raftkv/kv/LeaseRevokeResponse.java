package io.raftkv.kv;

/** etcd's LeaseRevokeResponse. */
public record LeaseRevokeResponse(long revision) implements Response {}
