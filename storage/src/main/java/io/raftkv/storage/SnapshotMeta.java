package io.raftkv.storage;

import io.raftkv.raft.Configuration;

/** A snapshot file's header: what it covers, without its data. */
public record SnapshotMeta(long index, long term, Configuration configuration, String fileName) {}
