package io.raftkv.kv;

/**
 * Revoke a lease and delete its keys in one revision. The leader proposes this both for a client's
 * revoke and for an expired lease: expiry is decided outside the state machine.
 */
public record LeaseRevokeRequest(long id) implements Request {}
