package io.raftkv.kv;

import java.util.List;

/** etcd's TxnResponse: one response per op of the branch taken, in order. */
public record TxnResponse(long revision, boolean succeeded, List<Response> responses)
    implements Response {
  public TxnResponse {
    responses = List.copyOf(responses);
  }
}
