package io.raftkv.kv;

import java.util.List;

/** A lease as the replicated state knows it: its granted TTL and the keys attached to it. */
public record LeaseInfo(long id, long ttlSeconds, List<Bytes> keys) {
  public LeaseInfo {
    keys = List.copyOf(keys);
  }
}
