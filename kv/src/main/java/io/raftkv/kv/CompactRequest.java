package io.raftkv.kv;

/** Forget history before {@code revision}; reads at it or later keep working. */
public record CompactRequest(long revision) implements Request {}
