package io.raftkv.storage;

import io.raftkv.raft.Entry;
import io.raftkv.raft.HardState;

/** One record of the write-ahead log; {@link RecordCodec} frames it on disk. */
sealed interface WalRecord {
  /** Wire code of each record type; stored in the frame, never an ordinal. */
  int HEADER = 1;

  int ENTRY = 2;
  int HARD_STATE = 3;
  int SNAPSHOT = 4;

  /**
   * Not a record of its own: the frame around one write's records (docs/wal-format.md), whose CRC
   * makes the write all or nothing.
   */
  int BATCH = 5;

  int typeCode();

  /**
   * First record of every segment: the log's state when the segment was started, so that a segment
   * makes sense after every older one has been compacted away.
   *
   * @param baseIndex index of the snapshot the log started after (0 for none)
   * @param prevIndex last log index when this segment was started
   */
  record SegmentHeader(
      long segmentSeq,
      long baseIndex,
      long baseTerm,
      long prevIndex,
      long prevTerm,
      HardState hardState)
      implements WalRecord {
    @Override
    public int typeCode() {
      return HEADER;
    }
  }

  /** A log entry. An index at or below the last one discards the suffix from it (§5.3). */
  record EntryRecord(Entry entry) implements WalRecord {
    @Override
    public int typeCode() {
      return ENTRY;
    }
  }

  record HardStateRecord(HardState hardState) implements WalRecord {
    @Override
    public int typeCode() {
      return HARD_STATE;
    }
  }

  /**
   * The log now starts after a snapshot at (index, term), whose file is already durable. With
   * {@code keepSuffix} the entries after the index stay (compaction, or an installed snapshot that
   * matched our log, §7); without it the whole log is discarded (an installed snapshot that did
   * not).
   */
  record SnapshotMarker(long index, long term, boolean keepSuffix) implements WalRecord {
    @Override
    public int typeCode() {
      return SNAPSHOT;
    }
  }
}
