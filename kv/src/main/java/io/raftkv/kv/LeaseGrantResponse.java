package io.raftkv.kv;

/** etcd's LeaseGrantResponse: the id chosen and the TTL granted (raised to the minimum). */
public record LeaseGrantResponse(long revision, long id, long ttlSeconds) implements Response {}
