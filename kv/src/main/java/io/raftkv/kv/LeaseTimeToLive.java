package io.raftkv.kv;

import java.util.List;

/** etcd's LeaseTimeToLiveResponse: seconds left, the TTL granted, and (if asked) the keys. */
public record LeaseTimeToLive(
    long id, long remainingSeconds, long grantedSeconds, List<Bytes> keys) {
  public LeaseTimeToLive {
    keys = List.copyOf(keys);
  }
}
