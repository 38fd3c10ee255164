package io.raftkv.kv;

/**
 * What applying a command answers. {@code revision} is the store's revision after the command,
 * etcd's response header revision.
 */
public sealed interface Response
    permits RangeResponse,
        PutResponse,
        DeleteRangeResponse,
        TxnResponse,
        CompactResponse,
        LeaseGrantResponse,
        LeaseRevokeResponse,
        SessionOpenResponse,
        ErrorResponse {
  long revision();
}
