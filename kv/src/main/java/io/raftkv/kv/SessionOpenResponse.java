package io.raftkv.kv;

/** The id of the session just opened: pass it with every write of that client. */
public record SessionOpenResponse(long revision, long clientId) implements Response {}
