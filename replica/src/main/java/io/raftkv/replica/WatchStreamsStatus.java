package io.raftkv.replica;

/**
 * The watch streams a replica serves.
 *
 * @param openCount streams open now
 * @param openedCount streams asked for since the replica started (open, ended or refused)
 */
public record WatchStreamsStatus(int openCount, long openedCount) {}
