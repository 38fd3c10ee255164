package io.raftkv.kv;

import java.util.List;

/**
 * etcd's RangeResponse. {@code count} is the number of keys in the range at the read revision
 * (before limit and the min/max filters, as etcd counts); {@code more} says the limit cut it.
 */
public record RangeResponse(long revision, List<KeyValue> kvs, boolean more, long count)
    implements Response {
  public RangeResponse {
    kvs = List.copyOf(kvs);
  }
}
