package io.raftkv.raft;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A leader's ReadIndex requests (thesis §6.4) on their way to being served. A read first waits
 * for the leader to commit an entry of its term, then is tagged with the next heartbeat round;
 * once a majority echoes that round (or a later one), every read of the round is confirmed at
 * once. Rounds are numbered by a sequence that only grows, so an echo of round r confirms all
 * reads tagged r or earlier.
 */
final class ReadTracker {
  private record Read(long requestId, long readIndex, long sequence) {}

  private final ArrayDeque<Long> awaitingTermCommit = new ArrayDeque<>();
  private final ArrayDeque<Read> awaitingRound = new ArrayDeque<>();
  private final ArrayDeque<Read> awaitingQuorum = new ArrayDeque<>();
  private List<ReadState> ready = new ArrayList<>();
  private List<Long> aborted = new ArrayList<>();
  private long lastSequence;
  /**
   * (first sequence sent at a tick, that tick), oldest first, so an echoed sequence tells when
   * its heartbeat left; entries older than a lease are useless and pruned.
   */
  private final ArrayDeque<long[]> roundTicks = new ArrayDeque<>();

  int pendingCount() {
    return awaitingTermCommit.size() + awaitingRound.size() + awaitingQuorum.size();
  }

  long lastSequence() {
    return lastSequence;
  }

  void awaitTermCommit(long requestId) {
    awaitingTermCommit.add(requestId);
  }

  void awaitRound(long requestId, long readIndex) {
    awaitingRound.add(new Read(requestId, readIndex, 0));
  }

  void readyNow(long requestId, long readIndex) {
    ready.add(new ReadState(requestId, readIndex));
  }

  /** The leader just committed its first entry of the term: queued reads get a read index. */
  void termCommitted(long commitIndex) {
    while (!awaitingTermCommit.isEmpty()) {
      awaitRound(awaitingTermCommit.poll(), commitIndex);
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
      awaitingQuorum.add(new Read(read.requestId(), read.readIndex(), sequence));
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
      ready.add(new ReadState(read.requestId(), read.readIndex()));
    }
  }

  /** Leadership is lost: no pending read can be confirmed any more. */
  void abortAll() {
    for (Long id : awaitingTermCommit) {
      aborted.add(id);
    }
    for (Read read : awaitingRound) {
      aborted.add(read.requestId());
    }
    for (Read read : awaitingQuorum) {
      aborted.add(read.requestId());
    }
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

  List<Long> takeAborted() {
    List<Long> taken = aborted.isEmpty() ? List.of() : aborted;
    aborted = new ArrayList<>();
    return taken;
  }
}
