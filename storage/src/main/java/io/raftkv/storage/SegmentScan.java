package io.raftkv.storage;

import java.util.ArrayList;
import java.util.List;

/**
 * The frames of one segment file, read and CRC-checked: the header, then batch frames, each opened
 * into its records; the good records in order and, if the file does not end cleanly, where and why
 * the first bad frame is, and whether any good batch frame follows it. Zeros running to the end of
 * the file after a good frame are preallocated space, a clean end. Judging the result (a torn tail
 * to drop, or corruption) is the caller's: only the last segment may end torn.
 */
final class SegmentScan {
  /** A good record and the byte offset of its frame. */
  record Found(long offset, int frameBytes, WalRecord record) {}

  final String fileName;
  final long fileBytes;
  final List<Found> records = new ArrayList<>();

  /** Offsets of the good batch frames, in order. */
  final List<Long> batchOffsets = new ArrayList<>();

  /** Offset of the first bad frame, or -1 when the records end cleanly. */
  long badOffset = -1;

  String badReason;

  /**
   * Offset of a good batch frame somewhere after the bad one, or -1: then the bad part is a tail.
   */
  long goodFrameAfterBad = -1;

  /** Where the good records end: the next batch would be written here. */
  long end;

  private SegmentScan(String fileName, long fileBytes) {
    this.fileName = fileName;
    this.fileBytes = fileBytes;
  }

  boolean clean() {
    return badOffset < 0;
  }

  /** Bad bytes at the end and no good batch after them: what a crash mid-write leaves. */
  boolean tornTail() {
    return badOffset >= 0 && goodFrameAfterBad < 0;
  }

  static SegmentScan scan(String fileName, byte[] bytes) {
    SegmentScan scan = new SegmentScan(fileName, bytes.length);
    int offset = 0;
    while (offset < bytes.length) {
      if (offset > 0 && bytes[offset] == 0 && allZero(bytes, offset)) {
        break;
      }
      String problem = frameProblem(bytes, offset);
      if (problem == null) {
        int length = readInt(bytes, offset);
        try {
          scan.records.addAll(open(bytes, offset, length));
          if (offset > 0) {
            scan.batchOffsets.add((long) offset);
          }
          offset += RecordCodec.FRAME_HEADER_BYTES + length;
          continue;
        } catch (IllegalArgumentException e) {
          // A CRC-valid frame that does not decode was written that way: never a torn write.
          problem = e.getMessage();
          scan.goodFrameAfterBad = offset;
        }
      }
      scan.badOffset = offset;
      scan.badReason =
          allZero(bytes, offset)
              ? "zeros to the end of the file (" + (bytes.length - offset) + " bytes)"
              : problem;
      if (scan.goodFrameAfterBad < 0) {
        scan.goodFrameAfterBad = nextGoodBatch(bytes, offset + 1);
      }
      break;
    }
    scan.end = scan.badOffset >= 0 ? scan.badOffset : offset;
    return scan;
  }

  /**
   * The records of the CRC-checked frame at {@code offset}: the header at offset 0, a batch's
   * records anywhere after it.
   */
  private static List<Found> open(byte[] bytes, int offset, int length) {
    int type = bytes[offset + RecordCodec.FRAME_HEADER_BYTES];
    int expected = offset == 0 ? WalRecord.HEADER : WalRecord.BATCH;
    if (type != expected) {
      throw new IllegalArgumentException(
          "expected "
              + (offset == 0 ? "a segment header" : "a batch frame")
              + ", found record type "
              + type);
    }
    int body = offset + RecordCodec.FRAME_HEADER_BYTES;
    if (offset == 0) {
      return List.of(
          new Found(
              0, RecordCodec.FRAME_HEADER_BYTES + length, RecordCodec.decode(bytes, body, length)));
    }
    List<Found> found = new ArrayList<>();
    int end = body + length;
    for (int at = body + 1; at < end; ) {
      String problem = frameProblem(bytes, at, end);
      if (problem != null) {
        throw new IllegalArgumentException("batch record at offset " + at + ": " + problem);
      }
      int recordLength = readInt(bytes, at);
      WalRecord record =
          RecordCodec.decode(bytes, at + RecordCodec.FRAME_HEADER_BYTES, recordLength);
      if (record instanceof WalRecord.SegmentHeader) {
        throw new IllegalArgumentException("a segment header inside a batch at offset " + at);
      }
      found.add(new Found(at, RecordCodec.FRAME_HEADER_BYTES + recordLength, record));
      at += RecordCodec.FRAME_HEADER_BYTES + recordLength;
    }
    return found;
  }

  /**
   * Whether nothing but zeros follows {@code from}: preallocated space, or what ext4 can leave
   * after a crash when a file's new length reached the disk before its data did.
   */
  private static boolean allZero(byte[] bytes, int from) {
    for (int i = from; i < bytes.length; i++) {
      if (bytes[i] != 0) {
        return false;
      }
    }
    return true;
  }

  private static String frameProblem(byte[] bytes, int offset) {
    return frameProblem(bytes, offset, bytes.length);
  }

  /**
   * Why the frame at {@code offset} is bad, or null when its length and CRC check out and it ends
   * by {@code limit} (the file's end, or its batch's).
   */
  private static String frameProblem(byte[] bytes, int offset, int limit) {
    int available = limit - offset;
    if (available < RecordCodec.FRAME_HEADER_BYTES + 1) {
      return "incomplete frame header: " + available + " bytes before the end of the file";
    }
    int length = readInt(bytes, offset);
    if (length < 1 || length > RecordCodec.BATCH_BYTES_MAX) {
      return "impossible record length " + Integer.toUnsignedString(length);
    }
    if (length > available - RecordCodec.FRAME_HEADER_BYTES) {
      return "record of "
          + length
          + " bytes runs past the end of the "
          + (limit == bytes.length ? "file" : "batch")
          + " ("
          + available
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
   * Looks for a batch frame with a plausible length and a matching CRC at or after {@code from}.
   * One means the bad bytes are not a torn tail: something was written after them. (The records of
   * a torn batch are not looked for: a crash can keep any of its pages.) Random bytes pass both
   * checks with odds far below 2^-32 per offset.
   */
  private static long nextGoodBatch(byte[] bytes, int from) {
    for (int offset = from; offset + RecordCodec.FRAME_HEADER_BYTES < bytes.length; offset++) {
      if (bytes[offset + RecordCodec.FRAME_HEADER_BYTES] != WalRecord.BATCH) {
        continue;
      }
      int length = readInt(bytes, offset);
      if (length < 1 || length > bytes.length - offset - RecordCodec.FRAME_HEADER_BYTES) {
        continue;
      }
      if (readInt(bytes, offset + 4) == RecordCodec.crc(bytes, offset, length)) {
        return offset;
      }
    }
    return -1;
  }

  static int readInt(byte[] bytes, int at) {
    return ((bytes[at] & 0xff) << 24)
        | ((bytes[at + 1] & 0xff) << 16)
        | ((bytes[at + 2] & 0xff) << 8)
        | (bytes[at + 3] & 0xff);
  }
}
