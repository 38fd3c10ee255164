package io.raftkv.storage;

/**
 * The log or a snapshot holds bytes that cannot be a crash's torn tail: the node must refuse to
 * start rather than silently lose what it once acknowledged. The message names the file, the byte
 * offset and, where known, the log index, with what was expected and what was found: {@code
 * 0000000000000003.wal: crc mismatch: stored 0x1a2b3c4d, computed 0x99aa0b1c at offset 81920 (after
 * index 5120)}.
 */
public final class CorruptStorageException extends StorageException {
  private final String fileName;
  private final long offset;

  public CorruptStorageException(String fileName, long offset, String detail) {
    super(fileName + ": " + detail + " at offset " + offset);
    this.fileName = fileName;
    this.offset = offset;
  }

  public CorruptStorageException(String fileName, long offset, String detail, String where) {
    super(fileName + ": " + detail + " at offset " + offset + " (" + where + ")");
    this.fileName = fileName;
    this.offset = offset;
  }

  public String fileName() {
    return fileName;
  }

  public long offset() {
    return offset;
  }
}
