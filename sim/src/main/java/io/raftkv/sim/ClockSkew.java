package io.raftkv.sim;

/**
 * One node's clock as its seed drew it: where it starts against simulated time and how fast it runs
 * (parts per million, within the configured bound). {@link NodeClock} runs it.
 */
record ClockSkew(long offsetNanos, long driftPpm) {}
