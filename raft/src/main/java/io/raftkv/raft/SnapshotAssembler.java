package io.raftkv.raft;

import java.util.Arrays;
import java.util.Optional;

/** A follower's half-received snapshot: chunks must arrive in order, from offset 0. */
final class SnapshotAssembler {
  private long index = -1;
  private long term = -1;

  /** Images are not byte-identical across leaders: never splice chunks of two leaders. */
  private long leaderTerm = -1;

  private byte[] received = new byte[0];
  private int receivedBytes;

  /** The offset this follower wants next for the snapshot at (index, term) from this leader. */
  long nextOffset(long snapshotIndex, long snapshotTerm, long fromLeaderTerm) {
    return snapshotIndex == index && snapshotTerm == term && fromLeaderTerm == leaderTerm
        ? receivedBytes
        : 0;
  }

  /**
   * Takes a chunk. Returns the whole image once its last chunk arrives in order; a chunk out of
   * order is ignored (the reply's next offset tells the leader where to resume).
   */
  Optional<Snapshot> accept(Message.InstallSnapshot chunk) {
    long expected = nextOffset(chunk.snapshotIndex(), chunk.snapshotTerm(), chunk.term());
    if (chunk.offset() == 0 && expected > 0) {
      // A duplicate or late first chunk of the image we are already receiving.
      return Optional.empty();
    }
    if (chunk.offset() == 0) {
      index = chunk.snapshotIndex();
      term = chunk.snapshotTerm();
      leaderTerm = chunk.term();
      receivedBytes = 0;
    } else if (chunk.offset() != expected) {
      return Optional.empty();
    }
    byte[] bytes = chunk.chunk();
    if (receivedBytes + bytes.length > received.length) {
      received =
          Arrays.copyOf(received, Math.max(received.length * 2, receivedBytes + bytes.length));
    }
    System.arraycopy(bytes, 0, received, receivedBytes, bytes.length);
    receivedBytes += bytes.length;
    if (!chunk.done()) {
      return Optional.empty();
    }
    Snapshot snapshot =
        new Snapshot(index, term, chunk.configuration(), Arrays.copyOf(received, receivedBytes));
    index = -1;
    term = -1;
    leaderTerm = -1;
    received = new byte[0];
    receivedBytes = 0;
    return Optional.of(snapshot);
  }
}
