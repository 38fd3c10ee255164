package io.raftkv.storage;

import io.raftkv.raft.Snapshot;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Picks the snapshot a node starts from, checking every CRC of the one it picks. */
final class SnapshotRecovery {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotRecovery.class);

  private SnapshotRecovery() {}

  /**
   * The newest snapshot that is valid and not older than where the log starts. The log's own
   * snapshot (the one its marker names) must be valid when nothing newer is: the entries before the
   * log's start are gone, so without it the node would silently lose state.
   */
  static Optional<Snapshot> choose(SnapshotStore snapshots, Wal wal) throws IOException {
    List<String> names = snapshots.fileNames();
    CorruptStorageException baseProblem = null;
    for (int i = names.size() - 1; i >= 0; i--) {
      String name = names.get(i);
      long index = SnapshotFormat.indexOf(name);
      if (index < wal.baseIndex()) {
        break;
      }
      try {
        Snapshot snapshot = snapshots.read(name);
        if (index > wal.baseIndex() || snapshot.term() == wal.baseTerm()) {
          return Optional.of(snapshot);
        }
      } catch (CorruptStorageException e) {
        LOG.warn("snapshot {} is corrupt, not using it: {}", name, e.getMessage());
        if (index == wal.baseIndex()) {
          baseProblem = e;
        }
      }
    }
    if (wal.baseIndex() == 0) {
      return Optional.empty();
    }
    String expected = SnapshotFormat.fileName(wal.baseIndex(), wal.baseTerm());
    if (baseProblem != null) {
      throw new CorruptStorageException(
          baseProblem.fileName(),
          baseProblem.offset(),
          "the log starts after this snapshot, which is corrupt: " + baseProblem.getMessage());
    }
    throw new CorruptStorageException(
        expected,
        0,
        "the log starts after snapshot "
            + wal.baseIndex()
            + "@"
            + wal.baseTerm()
            + " but its file is missing (found "
            + names
            + ")");
  }
}
