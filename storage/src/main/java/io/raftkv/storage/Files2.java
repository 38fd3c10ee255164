package io.raftkv.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/** Small helpers over the {@link FileSystem} seam. */
final class Files2 {
  /**
   * The message of the IOException a full disk gives, as Linux words ENOSPC; FaultyFileSystem
   * (storage's test kit) words its full disk the same way.
   */
  static final String NO_SPACE = "No space left on device";

  private Files2() {}

  static byte[] readAll(FileSystem fs, Path path) throws IOException {
    try (FileSystem.ReadableFile file = fs.openRead(path)) {
      long size = file.sizeBytes();
      if (size > Integer.MAX_VALUE - 16) {
        throw new IOException(path + " is " + size + " bytes, too large to read at once");
      }
      ByteBuffer buffer = ByteBuffer.allocate((int) size);
      while (buffer.hasRemaining()) {
        if (file.read(buffer, buffer.position()) < 0) {
          break;
        }
      }
      return buffer.position() == buffer.capacity()
          ? buffer.array()
          : java.util.Arrays.copyOf(buffer.array(), buffer.position());
    }
  }

  /** Whether a failed write means the disk is full (Linux words ENOSPC this way). */
  static boolean isDiskFull(IOException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null && t.getMessage().contains(NO_SPACE)) {
        return true;
      }
    }
    return false;
  }
}
