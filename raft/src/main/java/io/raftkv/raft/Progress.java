package io.raftkv.raft;

/** The leader's view of one follower (Figure 2's nextIndex and matchIndex, plus flow control). */
final class Progress {
  enum State {
    /** After a rejection or at election: one append at a time until a match is found. */
    PROBE,
    /** Matched: appends stream optimistically, bounded by the inflight window. */
    REPLICATE,
    /** The follower needs compacted entries: a snapshot is being sent in chunks. */
    SNAPSHOT
  }

  long matchIndex;
  long nextIndex;
  State state = State.PROBE;

  /** PROBE: an append is outstanding; the next waits for its reply or a heartbeat reply. */
  boolean probeSent;

  final Inflights inflights;

  /** Heard from since the last check-quorum round (thesis §6.2). */
  boolean recentActive;

  /** Highest heartbeat sequence it echoed in this term (ReadIndex, leases). */
  long heartbeatAckedSequence;

  /** The tick at which that acknowledged heartbeat was sent, or -1. */
  long heartbeatAckedSentTick = -1;

  // SNAPSHOT state: which image is on its way and how far the follower has it.
  Snapshot snapshot;
  long snapshotIndex;
  long snapshotOffsetAcked;
  long snapshotChunkSentTick;

  Progress(long nextIndex, int inflightAppendsMax) {
    this.nextIndex = nextIndex;
    this.inflights = new Inflights(inflightAppendsMax);
  }

  void becomeProbe() {
    state = State.PROBE;
    snapshot = null;
    probeSent = false;
    inflights.reset();
    nextIndex = Math.max(nextIndex, matchIndex + 1);
  }

  void becomeReplicate() {
    state = State.REPLICATE;
    snapshot = null;
    nextIndex = matchIndex + 1;
    inflights.reset();
  }

  void becomeSnapshot(Snapshot image) {
    state = State.SNAPSHOT;
    snapshot = image;
    snapshotIndex = image.index();
    snapshotOffsetAcked = 0;
    inflights.reset();
  }

  /** Whether another append may go out now. */
  boolean canSendAppend() {
    return switch (state) {
      case PROBE -> !probeSent;
      case REPLICATE -> !inflights.isFull();
      case SNAPSHOT -> false;
    };
  }

  /** Records that the follower holds our log through {@code index}; false if that is old news. */
  boolean advanceMatch(long index) {
    boolean advanced = index > matchIndex;
    if (advanced) {
      matchIndex = index;
      probeSent = false;
    }
    nextIndex = Math.max(nextIndex, index + 1);
    return advanced;
  }

  @Override
  public String toString() {
    return state + " match=" + matchIndex + " next=" + nextIndex + " inflight=" + inflights.count();
  }
}
