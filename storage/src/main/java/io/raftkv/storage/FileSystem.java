package io.raftkv.storage;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * Every byte storage reads or writes goes through this seam, so that the simulator and the tests
 * can run the code that ships on a disk that loses unsynced data, tears writes, fills up, fails an
 * fsync or flips a bit ({@code FaultyFileSystem}, in storage's test-jar); production uses {@link
 * RealFileSystem}.
 *
 * <p>The durability model is POSIX's: data written to a file is durable only after {@link
 * WritableFile#sync()}; a created, renamed or deleted name is durable only after {@link
 * #syncDirectory(Path)} on its directory.
 */
public interface FileSystem {
  /** Creates a new empty file, failing if the name exists. */
  WritableFile create(Path path) throws IOException;

  /** Opens an existing file for writing at its current end ({@link WritableFile#position}). */
  WritableFile openAppend(Path path) throws IOException;

  ReadableFile openRead(Path path) throws IOException;

  /** The names (not paths) of the regular files in {@code directory}, sorted. */
  List<String> list(Path directory) throws IOException;

  boolean exists(Path path);

  /** Atomically replaces {@code target} with {@code source}. */
  void rename(Path source, Path target) throws IOException;

  void delete(Path path) throws IOException;

  void createDirectories(Path directory) throws IOException;

  /** Makes creations, renames and deletions of names in {@code directory} durable. */
  void syncDirectory(Path directory) throws IOException;

  /**
   * A file open for writing at a position, which starts at the end and moves past what is written.
   * {@link #sync()} makes writes durable; until then a crash may keep any of the pages an unsynced
   * write overwrote, old or new, and any prefix of what it appended.
   */
  interface WritableFile extends Closeable {
    /** Writes all remaining bytes of {@code source} at the position, overwriting or growing. */
    void write(ByteBuffer source) throws IOException;

    /** fdatasync: every byte written so far survives a crash once this returns. */
    void sync() throws IOException;

    long sizeBytes() throws IOException;

    /** Moves the write position, at most to the end of the file. */
    void position(long position) throws IOException;

    /**
     * Makes the file at least {@code sizeBytes} long by writing zeros after its end, and syncs
     * them, leaving the position where it was: overwriting blocks that already exist is a data-only
     * fdatasync, where growing a file also commits its new length to the journal.
     */
    void preallocate(long sizeBytes) throws IOException;

    /** Cuts the file to {@code sizeBytes} and moves the position there. */
    void truncate(long sizeBytes) throws IOException;
  }

  /** A file open for positional reads. */
  interface ReadableFile extends Closeable {
    /** Reads up to {@code destination.remaining()} bytes at {@code position}; -1 at the end. */
    int read(ByteBuffer destination, long position) throws IOException;

    long sizeBytes() throws IOException;
  }
}
