package io.raftkv.kv;

import java.util.List;

/**
 * etcd's TxnRequest: if every compare holds, run {@code success}, else {@code failure}, all in one
 * revision. Compares of nested transactions are judged on the state before the transaction (as etcd
 * does); reads inside a branch see the branch's earlier writes.
 */
public record TxnRequest(List<Compare> compares, List<TxnOp> success, List<TxnOp> failure)
    implements TxnOp {

  public TxnRequest {
    compares = List.copyOf(compares);
    success = List.copyOf(success);
    failure = List.copyOf(failure);
  }
}
