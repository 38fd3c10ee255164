package io.raftkv.kv;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The lease table: id, granted TTL and attached keys. No deadlines: those belong to whoever holds
 * the clock ({@link LeaseDeadlines} on the leader). Tree collections keep every iteration in a
 * fixed order, so ids chosen and keys revoked are the same on every replica.
 */
final class Leases {
  private static final class Lease {
    final long ttlSeconds;
    final TreeSet<byte[]> keys = new TreeSet<>(Arrays::compareUnsigned);

    Lease(long ttlSeconds) {
      this.ttlSeconds = ttlSeconds;
    }
  }

  private final TreeMap<Long, Lease> leases = new TreeMap<>();
  private long nextId = 1;

  boolean exists(long id) {
    return leases.containsKey(id);
  }

  int count() {
    return leases.size();
  }

  /** The id a grant without one gets: the next unused id counting up, never reused. */
  long chooseId() {
    while (leases.containsKey(nextId)) {
      nextId++;
    }
    return nextId;
  }

  void grant(long id, long ttlSeconds) {
    Invariants.check(!leases.containsKey(id), "lease %d granted twice", id);
    leases.put(id, new Lease(ttlSeconds));
    if (id >= nextId) {
      nextId = id + 1;
    }
  }

  /** The keys of lease {@code id} in key order, and the lease gone. */
  List<byte[]> revoke(long id) {
    Lease lease = leases.remove(id);
    Invariants.check(lease != null, "revoking unknown lease %d", id);
    return new ArrayList<>(lease.keys);
  }

  void attach(long id, byte[] key) {
    if (id != 0) {
      Lease lease = leases.get(id);
      Invariants.check(lease != null, "attach key %s to unknown lease %d", key, id);
      lease.keys.add(key);
    }
  }

  /** Detach, tolerating a lease already revoked: its keys were deleted in the same step. */
  void detach(long id, byte[] key) {
    Lease lease = id == 0 ? null : leases.get(id);
    if (lease != null) {
      lease.keys.remove(key);
    }
  }

  LeaseInfo info(long id) {
    Lease lease = leases.get(id);
    if (lease == null) {
      return null;
    }
    return new LeaseInfo(id, lease.ttlSeconds, lease.keys.stream().map(Bytes::wrap).toList());
  }

  /** Id to TTL of every lease, in id order: what a snapshot carries (keys are in the data). */
  NavigableMap<Long, Long> ttls() {
    TreeMap<Long, Long> ttls = new TreeMap<>();
    for (Map.Entry<Long, Lease> e : leases.entrySet()) {
      ttls.put(e.getKey(), e.getValue().ttlSeconds);
    }
    return ttls;
  }

  long nextId() {
    return nextId;
  }

  void restoreNextId(long id) {
    nextId = id;
  }
}
