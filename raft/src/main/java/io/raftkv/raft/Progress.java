package io.raftkv.raft;

/**
 * The leader's view of one follower (Figure 2's nextIndex and matchIndex, plus flow control). It
 * owns its transitions, as etcd-io/raft's tracker/progress.go does: {@link Leader} reports what it
 * sent and heard, and this class moves between states. Every transition checks {@code matchIndex <
 * nextIndex} on the way in and on the way out (STYLE.md §4).
 */
final class Progress {
  enum State {
    /** After a rejection or at election: one append at a time until a match is found. */
    PROBE,
    /** Matched: appends stream optimistically, bounded by the inflight window. */
    REPLICATE,
    /** The follower needs compacted entries: a snapshot is being sent in chunks. */
    SNAPSHOT
  }

  private long matchIndex;
  private long nextIndex;
  private State state = State.PROBE;

  /** PROBE: an append is outstanding; the next waits for its reply or a heartbeat reply. */
  private boolean probeSent;

  private final Inflights inflights;

  /** Heard from since the last check-quorum round (thesis §6.2). */
  private boolean recentActive;

  /** Highest heartbeat sequence it echoed in this term (ReadIndex, leases). */
  private long heartbeatAckedSequence;

  /** The tick at which that acknowledged heartbeat was sent, or -1. */
  private long heartbeatAckedSentTick = -1;

  // SNAPSHOT state: which image is on its way and how far the follower has it.
  private Snapshot snapshot;
  private long snapshotOffsetAcked;
  private long snapshotChunkSentTick;

  Progress(long nextIndex, int inflightAppendsMax) {
    Invariants.check(nextIndex >= 1, "progress starts at next=%d", nextIndex);
    this.nextIndex = nextIndex;
    this.inflights = new Inflights(inflightAppendsMax);
    checkIndexes();
  }

  // ---------------------------------------------------------------- reads

  long matchIndex() {
    return matchIndex;
  }

  long nextIndex() {
    return nextIndex;
  }

  State state() {
    return state;
  }

  boolean recentActive() {
    return recentActive;
  }

  long heartbeatAckedSequence() {
    return heartbeatAckedSequence;
  }

  long heartbeatAckedSentTick() {
    return heartbeatAckedSentTick;
  }

  /** SNAPSHOT: the image being sent. */
  Snapshot snapshot() {
    return snapshot;
  }

  /** SNAPSHOT: the offset the follower asked for last. */
  long snapshotOffsetAcked() {
    return snapshotOffsetAcked;
  }

  long snapshotChunkSentTick() {
    return snapshotChunkSentTick;
  }

  /** Whether another append may go out now. */
  boolean canSendAppend() {
    return switch (state) {
      case PROBE -> !probeSent;
      case REPLICATE -> !inflights.isFull();
      case SNAPSHOT -> false;
    };
  }

  // ---------------------------------------------------------------- state changes

  void becomeProbe() {
    checkIndexes();
    state = State.PROBE;
    snapshot = null;
    probeSent = false;
    inflights.reset();
    nextIndex = Math.max(nextIndex, matchIndex + 1);
    checkIndexes();
  }

  void becomeReplicate() {
    checkIndexes();
    state = State.REPLICATE;
    snapshot = null;
    nextIndex = matchIndex + 1;
    inflights.reset();
    checkIndexes();
  }

  void becomeSnapshot(Snapshot image) {
    checkIndexes();
    state = State.SNAPSHOT;
    snapshot = image;
    snapshotOffsetAcked = 0;
    inflights.reset();
    checkIndexes();
  }

  // ---------------------------------------------------------------- events

  /** Any message from the follower: it is alive (thesis §6.2). */
  void markActive() {
    recentActive = true;
  }

  void resetRecentActive() {
    recentActive = false;
  }

  /**
   * An AppendEntries through {@code lastIndexSent} left (its entries, if any, start at nextIndex).
   * PROBE waits for the answer; REPLICATE moves on optimistically.
   */
  void appendSent(long lastIndexSent) {
    checkIndexes();
    Invariants.check(
        lastIndexSent >= nextIndex - 1, "sent through %d below next %d", lastIndexSent, nextIndex);
    if (state == State.PROBE) {
      probeSent = true;
    } else if (lastIndexSent >= nextIndex) {
      nextIndex = lastIndexSent + 1;
      inflights.add(lastIndexSent);
    }
    checkIndexes();
  }

  /**
   * etcd's MaybeUpdate: the follower holds our log through {@code index}. Returns whether that is
   * news; it is not when an older reply arrives late.
   */
  boolean maybeUpdate(long index) {
    checkIndexes();
    boolean advanced = index > matchIndex;
    if (advanced) {
      matchIndex = index;
      probeSent = false;
    }
    nextIndex = Math.max(nextIndex, index + 1);
    checkIndexes();
    return advanced;
  }

  /**
   * A successful append reply through {@code index}: a probe found its match and starts streaming,
   * a streamed append frees its window slot, a snapshot transfer overtaken by appends ends. Returns
   * whether the match advanced.
   */
  boolean appendAccepted(long index) {
    boolean advanced = maybeUpdate(index);
    switch (state) {
      case PROBE -> becomeReplicate();
      case REPLICATE -> inflights.freeThrough(index);
      case SNAPSHOT -> {
        if (matchIndex >= snapshot.index()) {
          becomeProbe();
        }
      }
    }
    return advanced;
  }

  /**
   * etcd's MaybeDecrTo: the follower rejected an append whose previous index was {@code
   * rejectedIndex}; {@code hintNext} is where its conflict hints say to retry. A rejection of an
   * append this state no longer waits for is stale and changes nothing. Returns whether it moved.
   */
  boolean maybeDecrTo(long rejectedIndex, long hintNext) {
    checkIndexes();
    boolean stale =
        switch (state) {
          case REPLICATE -> rejectedIndex <= matchIndex;
          case PROBE -> rejectedIndex != nextIndex - 1;
          case SNAPSHOT -> true;
        };
    if (stale) {
      return false;
    }
    nextIndex = Math.max(matchIndex + 1, Math.min(hintNext, rejectedIndex));
    becomeProbe();
    return true;
  }

  /**
   * A heartbeat reply without the append replies it should have followed: a probe may go again, and
   * a full window frees one slot so the follower can say where it is. Not for SNAPSHOT.
   */
  void heartbeatAnswered() {
    Invariants.check(state != State.SNAPSHOT, "heartbeat handling in %s", state);
    if (state == State.PROBE) {
      probeSent = false;
    } else if (inflights.isFull()) {
      inflights.freeFirst();
    }
  }

  /** Records an echoed heartbeat round; returns false when a later one was already echoed. */
  boolean heartbeatAcked(long sequence, long sentTick) {
    if (sequence <= heartbeatAckedSequence) {
      return false;
    }
    heartbeatAckedSequence = sequence;
    heartbeatAckedSentTick = sentTick;
    return true;
  }

  /**
   * The follower installed a snapshot (or holds the log) through {@code index}: a transfer that
   * reached its image's index ends in PROBE, from just after the match.
   */
  void snapshotInstalled(long index) {
    maybeUpdate(index);
    if (state == State.SNAPSHOT && matchIndex >= snapshot.index()) {
      nextIndex = matchIndex + 1;
      becomeProbe();
    }
  }

  /** A chunk reply: returns whether it answers the transfer under way (then send the next). */
  boolean snapshotChunkAcked(long snapshotIndex, long nextOffset) {
    if (state != State.SNAPSHOT || snapshotIndex != snapshot.index()) {
      return false;
    }
    snapshotOffsetAcked = nextOffset;
    return true;
  }

  void snapshotChunkSent(long tick) {
    Invariants.check(state == State.SNAPSHOT, "snapshot chunk sent in %s", state);
    snapshotChunkSentTick = tick;
  }

  /** Called on the way into and out of every transition; a failure's stack names which one. */
  private void checkIndexes() {
    Invariants.check(
        matchIndex < nextIndex, "progress match=%d not below next=%d", matchIndex, nextIndex);
  }

  @Override
  public String toString() {
    return state + " match=" + matchIndex + " next=" + nextIndex + " inflight=" + inflights.count();
  }
}
