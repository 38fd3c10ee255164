package io.raftkv.kv;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * When each lease expires, as the leader sees it. Not replicated state, like etcd's lessor:
 * keep-alives stay off the log, and expiry reaches the log as a {@link LeaseRevokeRequest} the
 * leader proposes for each id {@link #expired} returns. The clock is the caller's ({@code
 * nowNanos}, monotonic); this class never reads one. A new leader calls {@link #promote}, which
 * gives every lease a full TTL again, as etcd does, because the old leader's deadlines died with
 * it.
 *
 * <p>Deadlines are looked up lazily against the store: a lease granted since the last call gets now
 * + TTL, a revoked one is forgotten.
 */
public final class LeaseDeadlines {
  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private final KvStore store;
  private final Map<Long, Long> deadlineNanos = new HashMap<>();

  public LeaseDeadlines(KvStore store) {
    this.store = store;
  }

  /** On becoming leader: every lease expires one full TTL from now. */
  public void promote(long nowNanos) {
    deadlineNanos.clear();
    for (LeaseInfo lease : store.leases()) {
      deadlineNanos.put(lease.id(), nowNanos + lease.ttlSeconds() * NANOS_PER_SECOND);
    }
  }

  /** etcd's LeaseKeepAlive: pushes the deadline a full TTL out and returns the TTL. */
  public long keepAlive(long id, long nowNanos) {
    LeaseInfo lease = lease(id);
    deadlineNanos.put(id, nowNanos + lease.ttlSeconds() * NANOS_PER_SECOND);
    return lease.ttlSeconds();
  }

  /** etcd's LeaseTimeToLive; remaining seconds round up, and are 0 once expired. */
  public LeaseTimeToLive timeToLive(long id, boolean withKeys, long nowNanos) {
    LeaseInfo lease = lease(id);
    long deadline = deadline(lease, nowNanos);
    long remainingNanos = Math.max(0, deadline - nowNanos);
    long remainingSeconds = (remainingNanos + NANOS_PER_SECOND - 1) / NANOS_PER_SECOND;
    return new LeaseTimeToLive(
        id, remainingSeconds, lease.ttlSeconds(), withKeys ? lease.keys() : List.of());
  }

  /**
   * Up to {@code countMax} leases past their deadline, soonest expired first, for the leader to
   * propose revoking. A lease stays listed until its revoke is applied: the caller keeps track of
   * what it already proposed.
   */
  public List<Long> expired(long nowNanos, int countMax) {
    List<long[]> due = new ArrayList<>();
    for (LeaseInfo lease : store.leases()) {
      long deadline = deadline(lease, nowNanos);
      if (deadline <= nowNanos) {
        due.add(new long[] {deadline, lease.id()});
      }
    }
    deadlineNanos.keySet().removeIf(id -> store.lease(id).isEmpty());
    due.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < due.size() && i < countMax; i++) {
      ids.add(due.get(i)[1]);
    }
    return ids;
  }

  private LeaseInfo lease(long id) {
    return store
        .lease(id)
        .orElseThrow(() -> new KvException(KvErrorCode.LEASE_NOT_FOUND, "lease " + id));
  }

  private long deadline(LeaseInfo lease, long nowNanos) {
    return deadlineNanos.computeIfAbsent(
        lease.id(), id -> nowNanos + lease.ttlSeconds() * NANOS_PER_SECOND);
  }
}
