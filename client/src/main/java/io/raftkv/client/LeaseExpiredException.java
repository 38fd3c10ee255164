package io.raftkv.client;

/**
 * A kept-alive lease is gone: it expired (say while no member could renew it during a leader
 * change) or was revoked. Keys attached to it are deleted; the keep-alive has stopped.
 */
public final class LeaseExpiredException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final long leaseId;

  LeaseExpiredException(long leaseId) {
    super(
        "etcdserver: requested lease not found (lease "
            + Long.toHexString(leaseId)
            + " expired or was revoked; keep-alive stopped)");
    this.leaseId = leaseId;
  }

  public long leaseId() {
    return leaseId;
  }
}
