package io.raftkv.storage;

import java.util.ArrayList;
import java.util.List;

/**
 * The frames of one segment file, read and CRC-checked: the good records in order and, if the
 * file does not end cleanly, where and why the first bad frame is, and whether any good frame
 * follows it. Judging the result (a torn tail to drop, or corruption) is the caller's: only the
 * last segment may end torn.
 */
final class SegmentScan {
  /** A good record and the byte offset of its frame. */
  record Found(long offset, int frameBytes, WalRecord record) {}

  final String fileName;
  final long fileBytes;
  final List<Found> records = new ArrayList<>();
  /** Offset of the first bad frame, or -1 when the file ends exactly after a good record. */
  long badOffset = -1;
  String badReason;
  /** Offset of a good frame somewhere after the bad one, or -1: then the bad part is a tail. */
  long goodFrameAfterBad = -1;

  private SegmentScan(String fileName, long fileBytes) {
    this.fileName = fileName;
    this.fileBytes = fileBytes;
  }

  boolean clean() {
    return badOffset < 0;
  }

  /** Bad bytes at the end and nothing good after them: what a crash mid-write leaves. */
  boolean tornTail() {
    return badOffset >= 0 && goodFrameAfterBad < 0;
  }

  static SegmentScan scan(String fileName, byte[] bytes) {
    SegmentScan scan = new SegmentScan(fileName, bytes.length);
    int offset = 0;
    while (offset < bytes.length) {
      String problem = frameProblem(bytes, offset);
      if (problem == null) {
        int length = readInt(bytes, offset);
        try {
          WalRecord record = RecordCodec.decode(bytes,
              offset + RecordCodec.FRAME_HEADER_BYTES, length);
          scan.records.add(new Found(offset, RecordCodec.FRAME_HEADER_BYTES + length, record));
          offset += RecordCodec.FRAME_HEADER_BYTES + length;
          continue;
        } catch (IllegalArgumentException e) {
          // A CRC-valid frame that does not decode was written that way: never a torn write.
          problem = e.getMessage();
          scan.goodFrameAfterBad = offset;
        }
      }
      scan.badOffset = offset;
      scan.badReason = allZero(bytes, offset)
          ? "zeros to the end of the file (" + (bytes.length - offset) + " bytes)" : problem;
      if (scan.goodFrameAfterBad < 0) {
        scan.goodFrameAfterBad = nextGoodFrame(bytes, offset + 1);
      }
      break;
    }
    return scan;
  }

  /**
   * Whether nothing but zeros follows {@code from}: what ext4 can leave after a crash when a
   * file's new length reached the disk before its data did. Named apart from garbage so that
   * an operator reading {@code wal inspect} does not take it for damage.
   */
  private static boolean allZero(byte[] bytes, int from) {
    for (int i = from; i < bytes.length; i++) {
      if (bytes[i] != 0) {
        return false;
      }
    }
    return true;
  }

  /** Why the frame at {@code offset} is bad, or null when its length and CRC check out. */
  private static String frameProblem(byte[] bytes, int offset) {
    int available = bytes.length - offset;
    if (available < RecordCodec.FRAME_HEADER_BYTES + 1) {
      return "incomplete frame header: " + available + " bytes before the end of the file";
    }
    int length = readInt(bytes, offset);
    if (length < 1 || length > RecordCodec.RECORD_BYTES_MAX) {
      return "impossible record length " + Integer.toUnsignedString(length);
    }
    if (length > available - RecordCodec.FRAME_HEADER_BYTES) {
      return "record of " + length + " bytes runs past the end of the file (" + available
          + " bytes left)";
    }
    int stored = readInt(bytes, offset + 4);
    int computed = RecordCodec.crc(bytes, offset, length);
    if (stored != computed) {
      return String.format("crc mismatch: stored 0x%08x, computed 0x%08x", stored, computed);
    }
    return null;
  }

  /**
   * Looks for any frame with a plausible length, a known type and a matching CRC at or after
   * {@code from}. One means the bad bytes are not a torn tail: something was written after
   * them. Random bytes pass all three checks with odds far below 2^-32 per offset.
   */
  private static long nextGoodFrame(byte[] bytes, int from) {
    for (int offset = from; offset + RecordCodec.FRAME_HEADER_BYTES < bytes.length; offset++) {
      int length = readInt(bytes, offset);
      if (length < 1 || length > bytes.length - offset - RecordCodec.FRAME_HEADER_BYTES) {
        continue;
      }
      if (!RecordCodec.isKnownType(bytes[offset + RecordCodec.FRAME_HEADER_BYTES])) {
        continue;
      }
      if (readInt(bytes, offset + 4) == RecordCodec.crc(bytes, offset, length)) {
        return offset;
      }
    }
    return -1;
  }

  static int readInt(byte[] bytes, int at) {
    return ((bytes[at] & 0xff) << 24) | ((bytes[at + 1] & 0xff) << 16)
        | ((bytes[at + 2] & 0xff) << 8) | (bytes[at + 3] & 0xff);
  }
}
