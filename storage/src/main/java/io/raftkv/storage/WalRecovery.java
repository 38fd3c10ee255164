package io.raftkv.storage;

import io.raftkv.raft.Entry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads every segment of a WAL directory in order and rebuilds the log, applying the recovery rules
 * of docs/wal-format.md: a torn tail of the last segment is dropped (and, when repairing, cut off
 * the file), anything else that does not check out is a {@link CorruptStorageException}. Read-only
 * unless {@code repair} is set, so {@code raftkv wal inspect} can use it too.
 */
final class WalRecovery {
  private static final Pattern SEGMENT_NAME = Pattern.compile("[0-9a-f]{16}\\.wal");

  /**
   * What one segment held; {@code bytes} is where its records end, {@code fileBytes} its size with
   * any preallocated zeros after them.
   */
  record SegmentInfo(
      long seq,
      String fileName,
      long bytes,
      long fileBytes,
      int recordCount,
      long firstIndex,
      long lastIndex,
      long maxIndex,
      long firstTerm,
      long lastTerm) {}

  /** The recovered log, the segments that hold it, and what was dropped as a torn tail. */
  record Result(
      LogState state,
      List<SegmentInfo> segments,
      String tornFile,
      long tornOffset,
      long tornBytes,
      String tornReason) {
    boolean torn() {
      return tornFile != null;
    }
  }

  private WalRecovery() {}

  static String segmentName(long seq) {
    return String.format("%016x.wal", seq);
  }

  static boolean isSegmentName(String name) {
    return SEGMENT_NAME.matcher(name).matches();
  }

  static Result recover(FileSystem fs, Path dir, boolean repair) throws IOException {
    List<String> names = fs.list(dir).stream().filter(WalRecovery::isSegmentName).toList();
    LogState state = new LogState(true);
    List<SegmentInfo> segments = new ArrayList<>();
    String tornFile = null;
    long tornOffset = -1;
    long tornBytes = 0;
    String tornReason = null;
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      byte[] bytes = Files2.readAll(fs, dir.resolve(name));
      SegmentScan scan = SegmentScan.scan(name, bytes);
      boolean last = i == names.size() - 1;
      if (!scan.clean()) {
        rejectUnlessTornTail(scan, last, state);
        tornFile = name;
        tornOffset = scan.badOffset;
        tornBytes = scan.fileBytes - scan.badOffset;
        tornReason = scan.badReason;
      }
      if (scan.records.isEmpty()) {
        // Only a last segment whose header itself was torn gets here: it never held anything
        // that was synced, since its header went out with its first batch.
        if (repair) {
          fs.delete(dir.resolve(name));
          fs.syncDirectory(dir);
        }
        continue;
      }
      long expectedSeq = segments.isEmpty() ? -1 : segments.get(segments.size() - 1).seq() + 1;
      segments.add(replay(scan, state, segments.isEmpty(), expectedSeq, name));
      if (repair && !scan.clean()) {
        try (FileSystem.WritableFile file = fs.openAppend(dir.resolve(name))) {
          file.truncate(scan.badOffset);
          file.sync();
        }
      }
    }
    if (!segments.isEmpty()) {
      try {
        state.finish();
      } catch (LogState.LogRuleException e) {
        throw new CorruptStorageException(segments.get(0).fileName(), 0, e.getMessage());
      }
    }
    return new Result(state, segments, tornFile, tornOffset, tornBytes, tornReason);
  }

  private static void rejectUnlessTornTail(SegmentScan scan, boolean last, LogState state) {
    String where = "after index " + lastIndexIn(scan, state);
    if (!last) {
      throw new CorruptStorageException(
          scan.fileName, scan.badOffset, scan.badReason + " in a sealed segment", where);
    }
    if (!scan.tornTail()) {
      throw new CorruptStorageException(
          scan.fileName,
          scan.badOffset,
          scan.badReason + ", and a good batch follows at offset " + scan.goodFrameAfterBad,
          where);
    }
  }

  private static long lastIndexIn(SegmentScan scan, LogState state) {
    long index = state.lastIndex();
    for (SegmentScan.Found found : scan.records) {
      if (found.record() instanceof WalRecord.EntryRecord e) {
        index = e.entry().index();
      }
    }
    return index;
  }

  private static SegmentInfo replay(
      SegmentScan scan, LogState state, boolean first, long expectedSeq, String name) {
    int recordCount = 0;
    long firstIndex = 0;
    long lastIndex = 0;
    long maxIndex = 0;
    long firstTerm = 0;
    long lastTerm = 0;
    long seq = -1;
    for (SegmentScan.Found found : scan.records) {
      WalRecord record = found.record();
      try {
        if (recordCount == 0) {
          seq = applyHeader(record, state, first, expectedSeq, name);
        } else {
          switch (record) {
            case WalRecord.SegmentHeader h ->
                throw new LogState.LogRuleException("a second segment header");
            case WalRecord.EntryRecord e -> {
              Entry entry = e.entry();
              state.append(entry);
              if (firstIndex == 0) {
                firstIndex = entry.index();
                firstTerm = entry.term();
              }
              lastIndex = entry.index();
              lastTerm = entry.term();
              maxIndex = Math.max(maxIndex, entry.index());
            }
            case WalRecord.HardStateRecord hs -> state.hardState(hs.hardState());
            case WalRecord.SnapshotMarker m -> state.snapshot(m);
          }
        }
      } catch (LogState.LogRuleException e) {
        String where =
            record instanceof WalRecord.EntryRecord er
                ? "index " + er.entry().index()
                : "after index " + state.lastIndex();
        throw new CorruptStorageException(name, found.offset(), e.getMessage(), where);
      }
      recordCount++;
    }
    return new SegmentInfo(
        seq,
        name,
        scan.end,
        scan.fileBytes,
        recordCount,
        firstIndex,
        lastIndex,
        maxIndex,
        firstTerm,
        lastTerm);
  }

  private static long applyHeader(
      WalRecord record, LogState state, boolean first, long expectedSeq, String name) {
    if (!(record instanceof WalRecord.SegmentHeader header)) {
      throw new LogState.LogRuleException(
          "expected a segment header, found record type " + record.typeCode());
    }
    if (!segmentName(header.segmentSeq()).equals(name)) {
      throw new LogState.LogRuleException("header names segment " + header.segmentSeq());
    }
    if (first) {
      state.start(header);
    } else {
      if (header.segmentSeq() != expectedSeq) {
        throw new LogState.LogRuleException(
            "expected segment "
                + expectedSeq
                + " after the previous one, found "
                + header.segmentSeq()
                + ": a segment is missing");
      }
      state.checkContinues(header);
    }
    return header.segmentSeq();
  }
}
