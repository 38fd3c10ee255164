package io.raftkv.kv;

/** Grant a lease; {@code id} 0 lets the store choose one (deterministically, see docs/kv.md). */
public record LeaseGrantRequest(long id, long ttlSeconds) implements Request {}
