package io.raftkv.raft;

/** A snapshot of one node's state for status pages, logs and tests. */
public record RaftStatus(
    NodeId id,
    Role role,
    long currentTerm,
    NodeId leader,
    long commitIndex,
    long appliedIndex,
    long snapshotIndex,
    long lastIndex,
    long lastTerm) {}
