package io.raftkv.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * A snapshot's data read back chunk by chunk (see {@link SnapshotFormat}), each chunk's CRC checked
 * before any of its bytes are handed out, the end record checked against the total length and
 * whole-data CRC. Memory use is one chunk, whatever the snapshot's size.
 */
final class ChunkedInput extends InputStream {
  private final FileSystem.ReadableFile file;
  private final String fileName;
  private final CRC32C whole = new CRC32C();
  private long offset;
  private long total;
  private byte[] chunk = new byte[0];
  private int chunkPosition;
  private boolean ended;

  ChunkedInput(FileSystem.ReadableFile file, String fileName, long offset) {
    this.file = file;
    this.fileName = fileName;
    this.offset = offset;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] destination, int at, int length) throws IOException {
    if (length == 0) {
      return 0;
    }
    while (chunkPosition == chunk.length) {
      if (ended || !nextChunk()) {
        return -1;
      }
    }
    int count = Math.min(length, chunk.length - chunkPosition);
    System.arraycopy(chunk, chunkPosition, destination, at, count);
    chunkPosition += count;
    return count;
  }

  /** Loads the next chunk; false at a good end record. */
  @SuppressWarnings("ByteBufferBackingArray") // readExactly allocates: a heap buffer at offset 0
  private boolean nextChunk() throws IOException {
    ByteBuffer head = SnapshotStore.readExactly(file, offset, 4, fileName);
    int length = head.getInt();
    if (length == 0) {
      checkEnd();
      return false;
    }
    if (length < 0 || length > SnapshotFormat.CHUNK_BYTES_MAX) {
      throw new CorruptStorageException(fileName, offset, "impossible chunk length " + length);
    }
    int stored = SnapshotStore.readExactly(file, offset + 4, 4, fileName).getInt();
    ByteBuffer data = SnapshotStore.readExactly(file, offset + 8, length, fileName);
    int computed = SnapshotFormat.crc(data.array(), 0, length);
    if (stored != computed) {
      throw new CorruptStorageException(
          fileName,
          offset,
          String.format("chunk crc mismatch: stored 0x%08x, computed 0x%08x", stored, computed),
          "data bytes " + total + ".." + (total + length));
    }
    whole.update(data.array(), 0, length);
    chunk = data.array();
    chunkPosition = 0;
    total += length;
    offset += 8 + length;
    return true;
  }

  private void checkEnd() throws IOException {
    ByteBuffer end = SnapshotStore.readExactly(file, offset + 4, 12, fileName);
    long storedTotal = end.getLong();
    int storedCrc = end.getInt();
    if (storedTotal != total || storedCrc != (int) whole.getValue()) {
      throw new CorruptStorageException(
          fileName,
          offset,
          String.format(
              "end record: stored %d bytes crc 0x%08x, read %d bytes crc 0x%08x",
              storedTotal, storedCrc, total, (int) whole.getValue()));
    }
    long size = file.sizeBytes();
    if (size != offset + SnapshotFormat.END_BYTES) {
      throw new CorruptStorageException(
          fileName,
          offset + SnapshotFormat.END_BYTES,
          (size - offset - SnapshotFormat.END_BYTES) + " unexpected bytes after the end record");
    }
    ended = true;
  }

  @Override
  public void close() throws IOException {
    file.close();
  }
}
