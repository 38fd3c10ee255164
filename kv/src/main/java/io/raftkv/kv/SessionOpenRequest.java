package io.raftkv.kv;

/** Open a client session; its id is the log index of this command (Raft thesis §6.3). */
public record SessionOpenRequest() implements Request {}
