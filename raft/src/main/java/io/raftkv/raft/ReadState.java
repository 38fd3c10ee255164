package io.raftkv.raft;

/**
 * A linearizable read that may be served once the state machine has applied through {@code
 * readIndex} (thesis §6.4).
 */
public record ReadState(long requestId, long readIndex) {}
