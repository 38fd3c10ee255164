package io.raftkv.storage;

import io.raftkv.raft.Entry;
import io.raftkv.raft.EntryType;
import io.raftkv.raft.HardState;
import io.raftkv.raft.Invariants;
import io.raftkv.raft.NodeId;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The frame of every WAL record: {@code u32 length | u32 crc32c | u8 type | payload}, big endian,
 * where length counts type and payload and the CRC covers length, type and payload. A segment holds
 * a header record and then batch frames, each the same frame of type {@link WalRecord#BATCH} around
 * the framed records of one write. docs/wal-format.md is the byte-by-byte description; keep the two
 * in step.
 */
final class RecordCodec {
  static final int FRAME_HEADER_BYTES = 8;

  /** Larger lengths are treated as garbage; an entry's data must stay below it. */
  static final int RECORD_BYTES_MAX = 64 << 20;

  /** Larger batch lengths are treated as garbage; a write staging more is refused. */
  static final int BATCH_BYTES_MAX = 1 << 30;

  static final int HEADER_MAGIC = 0x524B5657; // "RKVW"

  /** 2: records go in batch frames, and segments may end in preallocated zeros. */
  static final short FORMAT_VERSION = 2;

  private RecordCodec() {}

  /** Appends the framed record to {@code out}. */
  static void encode(WalRecord record, GrowableBuffer out) {
    int start = out.position();
    out.putInt(0);
    out.putInt(0);
    out.put((byte) record.typeCode());
    switch (record) {
      case WalRecord.SegmentHeader h -> {
        out.putInt(HEADER_MAGIC);
        out.putShort(FORMAT_VERSION);
        out.putLong(h.segmentSeq());
        out.putLong(h.baseIndex());
        out.putLong(h.baseTerm());
        out.putLong(h.prevIndex());
        out.putLong(h.prevTerm());
        putHardState(h.hardState(), out);
      }
      case WalRecord.EntryRecord e -> {
        out.putLong(e.entry().term());
        out.putLong(e.entry().index());
        out.put((byte) e.entry().type().code());
        out.put(e.entry().data());
      }
      case WalRecord.HardStateRecord hs -> putHardState(hs.hardState(), out);
      case WalRecord.SnapshotMarker m -> {
        out.putLong(m.index());
        out.putLong(m.term());
        out.put((byte) (m.keepSuffix() ? 1 : 0));
      }
    }
    int length = out.position() - start - FRAME_HEADER_BYTES;
    if (length > RECORD_BYTES_MAX) {
      out.position(start);
      throw new IllegalArgumentException(
          "record of " + length + " bytes exceeds the maximum " + RECORD_BYTES_MAX);
    }
    out.putInt(start, length);
    out.putInt(start + 4, crc(out.array(), start, length));
  }

  /** Starts a batch frame in an empty buffer; records are encoded after it. */
  static void beginBatch(GrowableBuffer out) {
    out.clear();
    out.putInt(0);
    out.putInt(0);
    out.put((byte) WalRecord.BATCH);
  }

  /** Whether the batch begun in {@code out} holds any record yet. */
  static boolean batchHasRecords(GrowableBuffer out) {
    return out.position() > FRAME_HEADER_BYTES + 1;
  }

  /** Fills in the batch frame's length and CRC, once every record is in. */
  static void endBatch(GrowableBuffer out) {
    int length = out.position() - FRAME_HEADER_BYTES;
    // Recovery reads a longer batch as garbage; staging refuses one, so this is a bug.
    Invariants.check(length <= BATCH_BYTES_MAX, "wal batch of %d bytes over the maximum", length);
    out.putInt(0, length);
    out.putInt(4, crc(out.array(), 0, length));
  }

  /** CRC32C of the length field at {@code frameStart} and the type and payload after it. */
  static int crc(byte[] bytes, int frameStart, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, frameStart, 4);
    crc.update(bytes, frameStart + FRAME_HEADER_BYTES, length);
    return (int) crc.getValue();
  }

  /**
   * Decodes type and payload ({@code length} bytes at {@code offset}, CRC already checked).
   *
   * @throws IllegalArgumentException when the payload does not fit its type
   */
  static WalRecord decode(byte[] bytes, int offset, int length) {
    ByteBuffer in = ByteBuffer.wrap(bytes, offset, length).slice();
    int type = in.get();
    try {
      return switch (type) {
        case WalRecord.HEADER -> decodeHeader(in);
        case WalRecord.ENTRY -> {
          long term = in.getLong();
          long index = in.getLong();
          EntryType entryType = EntryType.fromCode(in.get());
          byte[] data = new byte[in.remaining()];
          in.get(data);
          yield new WalRecord.EntryRecord(new Entry(term, index, entryType, data));
        }
        case WalRecord.HARD_STATE -> new WalRecord.HardStateRecord(hardState(in));
        case WalRecord.SNAPSHOT -> {
          long index = in.getLong();
          long term = in.getLong();
          byte keep = in.get();
          expectEnd(in);
          yield new WalRecord.SnapshotMarker(index, term, keep == 1);
        }
        default -> throw new IllegalArgumentException("unknown record type " + type);
      };
    } catch (java.nio.BufferUnderflowException e) {
      throw new IllegalArgumentException(
          "record type " + type + " payload too short: " + (length - 1) + " bytes");
    }
  }

  private static WalRecord decodeHeader(ByteBuffer in) {
    int magic = in.getInt();
    if (magic != HEADER_MAGIC) {
      throw new IllegalArgumentException(
          String.format(
              "segment header magic: expected 0x%08x, found 0x%08x", HEADER_MAGIC, magic));
    }
    short version = in.getShort();
    if (version != FORMAT_VERSION) {
      throw new IllegalArgumentException(
          "segment format version: expected " + FORMAT_VERSION + ", found " + version);
    }
    WalRecord.SegmentHeader header =
        new WalRecord.SegmentHeader(
            in.getLong(), in.getLong(), in.getLong(), in.getLong(), in.getLong(), hardState(in));
    return header;
  }

  private static HardState hardState(ByteBuffer in) {
    HardState state = new HardState(in.getLong(), NodeId.of(in.getInt()), in.getLong());
    expectEnd(in);
    return state;
  }

  private static void putHardState(HardState state, GrowableBuffer out) {
    out.putLong(state.currentTerm());
    out.putInt(state.votedFor().value());
    out.putLong(state.commitIndex());
  }

  private static void expectEnd(ByteBuffer in) {
    if (in.hasRemaining()) {
      throw new IllegalArgumentException(in.remaining() + " unexpected trailing payload bytes");
    }
  }
}
