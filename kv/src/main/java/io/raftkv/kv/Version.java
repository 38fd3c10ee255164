package io.raftkv.kv;

/**
 * One version of a key, linked to the one before it: a key's history is a chain, newest first.
 * Nodes are immutable and a write only prepends, so a reader holding an older head (a snapshot on
 * another thread) keeps a consistent view without locks. A deletion is a tombstone: a node with a
 * null value.
 *
 * <p>A plain class rather than a record: it is the per-key cost at 1M keys and must stay small (56
 * bytes with compressed oops).
 */
final class Version {
  final long createRevision;
  final long modRevision;
  final long version;
  final long lease;

  /** Order of this write inside its revision (etcd's sub-revision): events keep this order. */
  final int subRevision;

  final byte[] value;
  final Version previous;

  Version(
      long createRevision,
      long modRevision,
      int subRevision,
      long version,
      long lease,
      byte[] value,
      Version previous) {
    this.createRevision = createRevision;
    this.modRevision = modRevision;
    this.subRevision = subRevision;
    this.version = version;
    this.lease = lease;
    this.value = value;
    this.previous = previous;
  }

  static Version tombstone(long modRevision, int subRevision, Version previous) {
    return new Version(0, modRevision, subRevision, 0, 0, null, previous);
  }

  boolean isTombstone() {
    return value == null;
  }

  /** The version visible at {@code revision} in the chain starting here, or null. */
  Version at(long revision) {
    Version v = this;
    while (v != null && v.modRevision > revision) {
      v = v.previous;
    }
    return v;
  }

  /** The live version at {@code revision}: null if the key did not exist then. */
  Version liveAt(long revision) {
    Version v = at(revision);
    return v == null || v.isTombstone() ? null : v;
  }

  KeyValue toKeyValue(byte[] key) {
    if (isTombstone()) {
      return new KeyValue(Bytes.wrap(key), 0, modRevision, 0, Bytes.empty(), 0);
    }
    return new KeyValue(
        Bytes.wrap(key), createRevision, modRevision, version, Bytes.wrap(value), lease);
  }

  /**
   * This chain as it is after compaction at {@code revision}: every version from that revision on,
   * plus the newest one before it unless that one is a tombstone. Null if nothing is left. A
   * tombstone written exactly at the compact revision stays (etcd drops it), because a watch may
   * start at the compact revision and must not miss that deletion. Returns {@code this} when
   * nothing changes, so untouched keys cost no allocation.
   */
  Version compactedAt(long revision) {
    // Iterative: a key written a million times must not cost a million stack frames.
    int newerCount = 0;
    Version cut = this;
    while (cut != null && cut.modRevision > revision) {
      newerCount++;
      cut = cut.previous;
    }
    Version kept;
    if (cut == null) {
      return this;
    } else if (cut.isTombstone() && cut.modRevision < revision) {
      kept = null;
    } else if (cut.previous == null) {
      return this;
    } else {
      kept = cut.withPrevious(null);
    }
    Version[] newer = new Version[newerCount];
    Version v = this;
    for (int i = 0; i < newerCount; i++, v = v.previous) {
      newer[i] = v;
    }
    for (int i = newerCount - 1; i >= 0; i--) {
      kept = newer[i].withPrevious(kept);
    }
    return kept;
  }

  private Version withPrevious(Version newPrevious) {
    return new Version(
        createRevision, modRevision, subRevision, version, lease, value, newPrevious);
  }
}
