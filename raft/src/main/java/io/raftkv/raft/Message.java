package io.raftkv.raft;

import java.util.Arrays;
import java.util.List;

/**
 * Everything one Raft node says to another. Sealed: a {@code switch} over it has no {@code
 * default}, so a new message type fails compilation wherever it is not handled.
 */
public sealed interface Message {
  long term();

  NodeId from();

  NodeId to();

  /** What a {@link RequestVote} asks for. */
  enum VoteKind {
    /** §5.2: a vote in the candidate's new term. */
    VOTE,
    /**
     * Thesis §9.6: a poll carrying the term the sender would campaign in; it changes no state
     * anywhere.
     */
    PRE_VOTE,
    /**
     * A vote for a campaign started by TimeoutNow (thesis §3.10), which voters honour even inside a
     * leader's lease.
     */
    TRANSFER
  }

  /** §5.2 RequestVote, or the pre-vote of thesis §9.6, as {@code kind} says. */
  record RequestVote(
      long term, NodeId from, NodeId to, long lastLogIndex, long lastLogTerm, VoteKind kind)
      implements Message {
    public boolean preVote() {
      return kind == VoteKind.PRE_VOTE;
    }

    public boolean leadershipTransfer() {
      return kind == VoteKind.TRANSFER;
    }
  }

  /**
   * The answer to a {@link RequestVote} of {@code kind}. A granted pre-vote carries the poll's
   * term, which is not news of a higher term.
   */
  record VoteReply(long term, NodeId from, NodeId to, VoteKind kind, boolean granted)
      implements Message {
    public static VoteReply granted(long term, NodeId from, NodeId to, VoteKind kind) {
      return new VoteReply(term, from, to, kind, true);
    }

    public static VoteReply refused(long term, NodeId from, NodeId to, VoteKind kind) {
      return new VoteReply(term, from, to, kind, false);
    }

    public boolean preVote() {
      return kind == VoteKind.PRE_VOTE;
    }
  }

  /** §5.3 AppendEntries. {@code entries} are contiguous, starting at {@code prevLogIndex + 1}. */
  record AppendEntries(
      long term,
      NodeId from,
      NodeId to,
      long prevLogIndex,
      long prevLogTerm,
      List<Entry> entries,
      long leaderCommit)
      implements Message {
    public long lastIndex() {
      return prevLogIndex + entries.size();
    }
  }

  /**
   * The answer to an AppendEntries whose {@code prevLogIndex} was {@code rejectedIndex} (when
   * {@code !success}). On success {@code matchIndex} is the follower's last index known to match
   * the leader. On rejection the follower gives hints for fast backtracking: the term of its entry
   * at the rejected index ({@code conflictTerm}, 0 if it has none) and the first index it holds of
   * that term ({@code conflictIndex}), or its last index + 1 when its log is too short.
   */
  record AppendReply(
      long term,
      NodeId from,
      NodeId to,
      boolean success,
      long matchIndex,
      long rejectedIndex,
      long conflictTerm,
      long conflictIndex)
      implements Message {
    /** The follower's log matches the leader's through {@code matchIndex}. */
    public static AppendReply accepted(long term, NodeId from, NodeId to, long matchIndex) {
      return new AppendReply(term, from, to, true, matchIndex, 0, 0, 0);
    }

    /** The follower has no entry matching the append's previous one: retry earlier. */
    public static AppendReply rejected(
        long term,
        NodeId from,
        NodeId to,
        long rejectedIndex,
        long conflictTerm,
        long conflictIndex) {
      return new AppendReply(term, from, to, false, 0, rejectedIndex, conflictTerm, conflictIndex);
    }

    /**
     * The append came from a deposed leader's stale term: no index was rejected ({@code
     * rejectedIndex} -1); the reply's higher term is the whole message.
     */
    public static AppendReply staleTerm(long term, NodeId from, NodeId to) {
      return new AppendReply(term, from, to, false, 0, -1, 0, 0);
    }
  }

  /**
   * Leadership assertion without log content. {@code commitIndex} is capped by what the follower is
   * known to hold; {@code sequence} is echoed back and confirms ReadIndex rounds and leases.
   */
  record Heartbeat(long term, NodeId from, NodeId to, long commitIndex, long sequence)
      implements Message {}

  record HeartbeatReply(long term, NodeId from, NodeId to, long sequence) implements Message {}

  /** One chunk of a snapshot image: bytes {@code [offset, offset + chunk.length)}. */
  record InstallSnapshot(
      long term,
      NodeId from,
      NodeId to,
      long snapshotIndex,
      long snapshotTerm,
      Configuration configuration,
      long offset,
      byte[] chunk,
      boolean done)
      implements Message {
    /**
     * The chunk of {@code snapshot}'s image at {@code offset}, at most {@code chunkBytesMax} long;
     * {@code done} when it reaches the image's end.
     */
    public static InstallSnapshot chunkOf(
        long term, NodeId from, NodeId to, Snapshot snapshot, int offset, int chunkBytesMax) {
      byte[] image = snapshot.data();
      int length = Math.min(chunkBytesMax, image.length - offset);
      return new InstallSnapshot(
          term,
          from,
          to,
          snapshot.index(),
          snapshot.term(),
          snapshot.configuration(),
          offset,
          Arrays.copyOfRange(image, offset, offset + length),
          offset + length == image.length);
    }
  }

  /**
   * The follower's answer to a chunk: the next offset it wants, or {@code installed} once the whole
   * image is durable and restored (then {@code matchIndex} is its last log index).
   */
  record SnapshotReply(
      long term,
      NodeId from,
      NodeId to,
      long snapshotIndex,
      long nextOffset,
      boolean installed,
      long matchIndex)
      implements Message {
    /** More of image {@code snapshotIndex} is wanted, from {@code nextOffset}. */
    public static SnapshotReply nextChunk(
        long term, NodeId from, NodeId to, long snapshotIndex, long nextOffset) {
      return new SnapshotReply(term, from, to, snapshotIndex, nextOffset, false, 0);
    }

    /** The follower's log now ends at {@code matchIndex}, the image's index or beyond. */
    public static SnapshotReply installed(
        long term, NodeId from, NodeId to, long snapshotIndex, long matchIndex) {
      return new SnapshotReply(term, from, to, snapshotIndex, 0, true, matchIndex);
    }
  }

  /** Thesis §3.10: the leader tells a caught-up target to campaign at once. */
  record TimeoutNow(long term, NodeId from, NodeId to) implements Message {}

  /**
   * Thesis §6.4: a follower asks its leader for a read index on behalf of one of its reads; the
   * leader confirms its leadership as for its own reads and answers with a {@link ReadIndexReply}.
   */
  record ReadIndexRequest(long term, NodeId from, NodeId to, long requestId) implements Message {}

  /**
   * The leader's answer: the follower may serve read {@code requestId} once it has applied through
   * {@code readIndex}; {@code rejected} when the leader could not take the read.
   */
  record ReadIndexReply(
      long term, NodeId from, NodeId to, long requestId, long readIndex, boolean rejected)
      implements Message {
    public static ReadIndexReply confirmed(
        long term, NodeId from, NodeId to, long requestId, long readIndex) {
      return new ReadIndexReply(term, from, to, requestId, readIndex, false);
    }

    public static ReadIndexReply refused(long term, NodeId from, NodeId to, long requestId) {
      return new ReadIndexReply(term, from, to, requestId, 0, true);
    }
  }
}
