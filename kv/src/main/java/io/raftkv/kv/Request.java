package io.raftkv.kv;

/** Everything the log can carry for this state machine, as in etcd's KV and Lease services. */
public sealed interface Request
    permits TxnOp, CompactRequest, LeaseGrantRequest, LeaseRevokeRequest, SessionOpenRequest {}
