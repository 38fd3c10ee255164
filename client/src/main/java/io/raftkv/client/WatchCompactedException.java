package io.raftkv.client;

/**
 * A watch ended because the revisions it still had to deliver were compacted away (etcd's
 * ErrCompacted): events from {@link #nextRevision()} on, up to {@link #compactRevision()}, are
 * gone. Read the current state and watch again from its revision.
 */
public final class WatchCompactedException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final long compactRevision;
  private final long nextRevision;

  WatchCompactedException(long compactRevision, long nextRevision) {
    super(
        "etcdserver: mvcc: required revision has been compacted (watch needed revision "
            + nextRevision
            + ", compacted up to "
            + compactRevision
            + ")");
    this.compactRevision = compactRevision;
    this.nextRevision = nextRevision;
  }

  public long compactRevision() {
    return compactRevision;
  }

  public long nextRevision() {
    return nextRevision;
  }
}
