package io.raftkv.raft;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A leader's ReadIndex requests (thesis §6.4) on their way to being served. A read first waits for
 * the leader to commit an entry of its term, then is tagged with the next heartbeat round; once a
 * majority echoes that round (or a later one), every read of the round is confirmed at once. Rounds
 * are numbered by a sequence that only grows, so an echo of round r confirms all reads tagged r or
 * earlier.
 *
 * <p>A read's {@code origin} is {@link NodeId#NONE} for this node's own reads, which come out in
 * the next Ready, or the follower that forwarded it, which gets a ReadIndexReply. The follower side
 * uses {@link #readyNow} and {@link #abort} for the answers it receives.
 */
final class ReadTracker {
  private record Read(long requestId, long readIndex, long sequence, NodeId origin) {}

  /** A forwarded read, confirmed: the leader answers {@code origin} with the read index. */
  record RemoteRead(NodeId origin, long requestId, long readIndex) {}

  private final ArrayDeque<Read> awaitingTermCommit = new ArrayDeque<>();
  private final ArrayDeque<Read> awaitingRound = new ArrayDeque<>();
  private final ArrayDeque<Read> awaitingQuorum = new ArrayDeque<>();
  private List<ReadState> ready = new ArrayList<>();
  private List<Long> aborted = new ArrayList<>();
  private List<RemoteRead> remoteConfirmed = new ArrayList<>();
  private long lastSequence;

  /**
   * (first sequence sent at a tick, that tick), oldest first, so an echoed sequence tells when its
   * heartbeat left; entries older than a lease are useless and pruned.
   */
  private final ArrayDeque<long[]> roundTicks = new ArrayDeque<>();

  int pendingCount() {
    return awaitingTermCommit.size() + awaitingRound.size() + awaitingQuorum.size();
  }

  long lastSequence() {
    return lastSequence;
  }

  void awaitTermCommit(long requestId, NodeId origin) {
    awaitingTermCommit.add(new Read(requestId, 0, 0, origin));
  }

  void awaitRound(long requestId, long readIndex, NodeId origin) {
    awaitingRound.add(new Read(requestId, readIndex, 0, origin));
  }

  void readyNow(long requestId, long readIndex, NodeId origin) {
    if (origin.isNone()) {
      ready.add(new ReadState(requestId, readIndex));
    } else {
      remoteConfirmed.add(new RemoteRead(origin, requestId, readIndex));
    }
  }

  /** A read of this node's that can no longer be confirmed (e.g. its leader went silent). */
  void abort(long requestId) {
    aborted.add(requestId);
  }

  /** The leader just committed its first entry of the term: queued reads get a read index. */
  void termCommitted(long commitIndex) {
    while (!awaitingTermCommit.isEmpty()) {
      Read read = awaitingTermCommit.poll();
      awaitRound(read.requestId(), commitIndex, read.origin());
    }
  }

  boolean needsRound() {
    return !awaitingRound.isEmpty();
  }

  /** Numbers a heartbeat round sent at {@code tick}, tagging every read waiting for one. */
  long startRound(long tick, long keepTicks) {
    long sequence = ++lastSequence;
    if (roundTicks.isEmpty() || roundTicks.peekLast()[1] != tick) {
      roundTicks.addLast(new long[] {sequence, tick});
    }
    while (roundTicks.size() > 1 && roundTicks.peekFirst()[1] < tick - keepTicks) {
      roundTicks.pollFirst();
    }
    while (!awaitingRound.isEmpty()) {
      Read read = awaitingRound.poll();
      awaitingQuorum.add(new Read(read.requestId(), read.readIndex(), sequence, read.origin()));
    }
    return sequence;
  }

  /** The tick at which round {@code sequence} was sent, or -1 when that is too long ago. */
  long sentTick(long sequence) {
    long tick = -1;
    for (long[] entry : roundTicks) {
      if (entry[0] > sequence) {
        break;
      }
      tick = entry[1];
    }
    return tick;
  }

  /** A majority echoed round {@code sequence}: the leader was still leader after those reads. */
  void confirmThrough(long sequence) {
    while (!awaitingQuorum.isEmpty() && awaitingQuorum.peek().sequence() <= sequence) {
      Read read = awaitingQuorum.poll();
      readyNow(read.requestId(), read.readIndex(), read.origin());
    }
  }

  /**
   * Leadership is lost: no pending read can be confirmed any more. Our own reads are aborted;
   * forwarded ones are dropped, and their followers give up on them after an election timeout.
   */
  void abortAll() {
    for (ArrayDeque<Read> queue : List.of(awaitingTermCommit, awaitingRound, awaitingQuorum)) {
      for (Read read : queue) {
        if (read.origin().isNone()) {
          aborted.add(read.requestId());
        }
      }
    }
    remoteConfirmed.clear();
    awaitingTermCommit.clear();
    awaitingRound.clear();
    awaitingQuorum.clear();
    roundTicks.clear();
  }

  boolean hasOutput() {
    return !ready.isEmpty() || !aborted.isEmpty();
  }

  List<ReadState> takeReady() {
    List<ReadState> taken = ready.isEmpty() ? List.of() : ready;
    ready = new ArrayList<>();
    return taken;
  }

  List<RemoteRead> takeRemoteConfirmed() {
    List<RemoteRead> taken = remoteConfirmed.isEmpty() ? List.of() : remoteConfirmed;
    remoteConfirmed = new ArrayList<>();
    return taken;
  }

  List<Long> takeAborted() {
    List<Long> taken = aborted.isEmpty() ? List.of() : aborted;
    aborted = new ArrayList<>();
    return taken;
  }
}
