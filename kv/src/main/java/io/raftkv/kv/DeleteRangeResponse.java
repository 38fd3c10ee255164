package io.raftkv.kv;

import java.util.List;

/** etcd's DeleteRangeResponse; {@code prevKvs} only when asked for. */
public record DeleteRangeResponse(long revision, long deleted, List<KeyValue> prevKvs)
    implements Response {
  public DeleteRangeResponse {
    prevKvs = List.copyOf(prevKvs);
  }
}
