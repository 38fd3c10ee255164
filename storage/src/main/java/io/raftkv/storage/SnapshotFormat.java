package io.raftkv.storage;

import io.raftkv.raft.Configuration;
import io.raftkv.raft.NodeId;
import java.nio.ByteBuffer;
import java.util.TreeSet;
import java.util.zip.CRC32C;

/**
 * A snapshot file, so that it can be written and read as a stream: {@code header | chunk* | end}.
 * Header: {@code u32 magic "RKVS" | u16 version | u64 index | u64 term | u32 voterCount | u32
 * voter* | u32 crc32c(all header bytes before it)}. Chunk: {@code u32 length (1..CHUNK_BYTES_MAX) |
 * u32 crc32c(data) | data}. End: {@code u32 0 | u64 totalDataBytes | u32 crc32c(all data)}, and
 * nothing after it.
 */
final class SnapshotFormat {
  static final int MAGIC = 0x524B5653; // "RKVS"
  static final short VERSION = 1;
  static final int CHUNK_BYTES_MAX = 1 << 20;
  static final int VOTERS_MAX = 1 << 16;
  static final int END_BYTES = 4 + 8 + 4;

  private SnapshotFormat() {}

  static String fileName(long index, long term) {
    return String.format("%016x-%016x.snap", index, term);
  }

  static boolean isSnapshotName(String name) {
    return name.matches("[0-9a-f]{16}-[0-9a-f]{16}\\.snap");
  }

  static long indexOf(String name) {
    return Long.parseUnsignedLong(name.substring(0, 16), 16);
  }

  static long termOf(String name) {
    return Long.parseUnsignedLong(name.substring(17, 33), 16);
  }

  static ByteBuffer header(long index, long term, Configuration configuration) {
    int voters = configuration.voters().size();
    ByteBuffer out = ByteBuffer.allocate(headerBytes(voters));
    out.putInt(MAGIC).putShort(VERSION).putLong(index).putLong(term).putInt(voters);
    for (NodeId voter : configuration.voters()) {
      out.putInt(voter.value());
    }
    out.putInt(crc(out.array(), 0, out.position()));
    return out.flip();
  }

  static int headerBytes(int voters) {
    return 4 + 2 + 8 + 8 + 4 + 4 * voters + 4;
  }

  /** Bytes before the voter list: enough to learn how long the header is. */
  static int fixedHeaderBytes() {
    return 4 + 2 + 8 + 8 + 4;
  }

  /** Parses a complete header; {@code IllegalArgumentException} says what does not match. */
  @SuppressWarnings("ByteBufferBackingArray") // callers pass heap buffers read at offset 0
  static SnapshotMeta parseHeader(ByteBuffer in, String fileName) {
    int magic = in.getInt();
    if (magic != MAGIC) {
      throw new IllegalArgumentException(
          String.format("snapshot magic: expected 0x%08x, found 0x%08x", MAGIC, magic));
    }
    short version = in.getShort();
    if (version != VERSION) {
      throw new IllegalArgumentException(
          "snapshot version: expected " + VERSION + ", found " + version);
    }
    long index = in.getLong();
    long term = in.getLong();
    int voters = in.getInt();
    TreeSet<NodeId> ids = new TreeSet<>();
    for (int i = 0; i < voters; i++) {
      ids.add(NodeId.of(in.getInt()));
    }
    int computed = crc(in.array(), 0, in.position());
    int stored = in.getInt();
    if (stored != computed) {
      throw new IllegalArgumentException(
          String.format(
              "snapshot header crc mismatch: stored 0x%08x, computed 0x%08x", stored, computed));
    }
    return new SnapshotMeta(index, term, new Configuration(ids), fileName);
  }

  static int crc(byte[] bytes, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, offset, length);
    return (int) crc.getValue();
  }
}
