package io.raftkv.replica;

/**
 * The leader's lessor (lease deadlines off the log, expiry onto it).
 *
 * @param active this replica leads and keeps lease deadlines (from its first tick as leader on)
 * @param revokesInFlightCount expired leases whose revoke is proposed and not yet applied
 * @param revokesProposedCount revokes this replica proposed since it started
 */
public record LessorStatus(boolean active, int revokesInFlightCount, long revokesProposedCount) {}
