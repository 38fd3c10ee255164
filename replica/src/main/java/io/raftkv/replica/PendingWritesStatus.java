package io.raftkv.replica;

import java.time.Duration;

/**
 * The writes a replica proposed and has not seen applied.
 *
 * @param count writes waiting for their entry to apply
 * @param countMax {@code pendingWritesMax}: beyond it writes are refused with {@code OVERLOADED}
 * @param oldestIndex the log index of the oldest waiting write; 0 when none waits
 * @param oldestAge how long the oldest has waited, by the event loop's clock; zero when none waits
 */
public record PendingWritesStatus(int count, int countMax, long oldestIndex, Duration oldestAge) {}
