package io.raftkv.kv;

/** What a transaction branch may hold: etcd's RequestOp. */
public sealed interface TxnOp extends Request
    permits RangeRequest, PutRequest, DeleteRangeRequest, TxnRequest {}
