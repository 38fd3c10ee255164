package io.raftkv.client;

/**
 * Counts since the client was built.
 *
 * @param attempts unary attempts sent
 * @param retries attempts that repeated an earlier failed one
 * @param retriesAfterUnknownOutcome retries of a write whose earlier attempt may have applied: each
 *     is safe only because the write is in a session
 */
public record ClientStats(long attempts, long retries, long retriesAfterUnknownOutcome) {}
