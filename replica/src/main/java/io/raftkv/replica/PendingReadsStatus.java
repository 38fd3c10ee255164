package io.raftkv.replica;

import java.time.Duration;

/**
 * The linearizable reads a replica has not answered yet.
 *
 * @param awaitingIndexCount reads waiting for the core to confirm a read index (a heartbeat round,
 *     the lease, or the leader's answer to a forwarded read)
 * @param awaitingApplyCount confirmed reads waiting for the state machine to apply through their
 *     read index
 * @param countMax {@code pendingReadsMax}: with this many awaiting their index, reads are refused
 *     with {@code OVERLOADED}
 * @param oldestAge how long the oldest unanswered read has waited, by the event loop's clock; zero
 *     when none waits
 */
public record PendingReadsStatus(
    int awaitingIndexCount, int awaitingApplyCount, int countMax, Duration oldestAge) {}
