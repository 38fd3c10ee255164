package io.raftkv.storage;

import io.raftkv.raft.Configuration;
import io.raftkv.raft.Snapshot;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snapshot files in one directory, written and read as streams (a snapshot may be larger than
 * memory comfortably holds). A snapshot becomes visible atomically: it is written under a temporary
 * name, fsynced, renamed, and the directory fsynced. Every chunk carries a CRC, so a corrupt
 * snapshot is reported with its offset instead of restoring garbage.
 */
public final class SnapshotStore {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotStore.class);
  private static final String TEMP_SUFFIX = ".tmp";

  /** Produces a snapshot's data by writing it to a stream. */
  @FunctionalInterface
  public interface DataWriter {
    void writeTo(OutputStream out) throws IOException;
  }

  private final FileSystem fs;
  private final Path dir;
  private final FatalDiskHandler fatalHandler;

  public SnapshotStore(FileSystem fs, Path dir, FatalDiskHandler fatalHandler) {
    this.fs = fs;
    this.dir = dir;
    this.fatalHandler = fatalHandler;
  }

  /**
   * Writes a snapshot durably. When this returns, the file survives any crash. A full disk removes
   * the partial temp file and throws {@link DiskFullException}; a failed fsync is fatal.
   */
  public SnapshotMeta write(long index, long term, Configuration configuration, DataWriter data) {
    String name = SnapshotFormat.fileName(index, term);
    Path temp = dir.resolve(name + TEMP_SUFFIX);
    try {
      fs.createDirectories(dir);
      if (fs.exists(temp)) {
        fs.delete(temp);
      }
      try (FileSystem.WritableFile file = fs.create(temp)) {
        file.write(SnapshotFormat.header(index, term, configuration));
        try (ChunkedOutput out = new ChunkedOutput(file)) {
          data.writeTo(out);
        }
        sync(() -> file.sync(), "snapshot " + temp);
      }
      fs.rename(temp, dir.resolve(name));
      sync(() -> fs.syncDirectory(dir), "directory " + dir);
    } catch (IOException e) {
      deleteQuietly(temp);
      if (Files2.isDiskFull(e)) {
        throw new DiskFullException(
            "snapshot "
                + name
                + ": disk full; the snapshot is not "
                + "written, older snapshots and the log are intact",
            e);
      }
      throw new StorageException("snapshot " + name + ": write failed: " + e.getMessage(), e);
    }
    return new SnapshotMeta(index, term, configuration, name);
  }

  public SnapshotMeta write(Snapshot snapshot) {
    return write(
        snapshot.index(),
        snapshot.term(),
        snapshot.configuration(),
        out -> out.write(snapshot.data()));
  }

  /** Snapshot file names, oldest (lowest index) first. Temp files are not listed. */
  public List<String> fileNames() throws IOException {
    if (!fs.exists(dir)) {
      return List.of();
    }
    return fs.list(dir).stream().filter(SnapshotFormat::isSnapshotName).toList();
  }

  /** Reads and checks a snapshot's header. */
  public SnapshotMeta readMeta(String fileName) throws IOException {
    try (FileSystem.ReadableFile file = fs.openRead(dir.resolve(fileName))) {
      return readHeader(file, fileName);
    }
  }

  /**
   * Opens a snapshot's data as a stream that checks every chunk's CRC as it goes and, at the end,
   * the total length and whole-data CRC; a mismatch throws {@link CorruptStorageException}.
   */
  public InputStream openData(String fileName) throws IOException {
    FileSystem.ReadableFile file = fs.openRead(dir.resolve(fileName));
    try {
      SnapshotMeta meta = readHeader(file, fileName);
      long offset = SnapshotFormat.headerBytes(meta.configuration().voters().size());
      return new ChunkedInput(file, fileName, offset);
    } catch (IOException | RuntimeException e) {
      file.close();
      throw e;
    }
  }

  /** Reads a whole snapshot into memory, checking every CRC. */
  public Snapshot read(String fileName) throws IOException {
    SnapshotMeta meta = readMeta(fileName);
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    try (InputStream in = openData(fileName)) {
      in.transferTo(data);
    }
    return new Snapshot(meta.index(), meta.term(), meta.configuration(), data.toByteArray());
  }

  /** Reads the whole file, checking every CRC, without keeping the data. */
  public SnapshotMeta verify(String fileName) throws IOException {
    SnapshotMeta meta = readMeta(fileName);
    try (InputStream in = openData(fileName)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    return meta;
  }

  /**
   * Deletes leftover temp files and all but the newest {@code retainCount} snapshots, never one at
   * or above {@code protectedIndex} (the one the log starts after must stay).
   */
  public List<String> prune(int retainCount, long protectedIndex) throws IOException {
    List<String> deleted = new ArrayList<>();
    for (String name : fs.list(dir)) {
      if (name.endsWith(TEMP_SUFFIX)) {
        fs.delete(dir.resolve(name));
        deleted.add(name);
      }
    }
    List<String> snapshots = fileNames();
    for (int i = 0; i < snapshots.size() - Math.max(1, retainCount); i++) {
      String name = snapshots.get(i);
      if (SnapshotFormat.indexOf(name) < protectedIndex) {
        fs.delete(dir.resolve(name));
        deleted.add(name);
      }
    }
    if (!deleted.isEmpty()) {
      sync(() -> fs.syncDirectory(dir), "directory " + dir);
      LOG.info("snapshots in {}: deleted {}", dir, deleted);
    }
    return deleted;
  }

  private SnapshotMeta readHeader(FileSystem.ReadableFile file, String fileName)
      throws IOException {
    ByteBuffer fixed = readExactly(file, 0, SnapshotFormat.fixedHeaderBytes(), fileName);
    int voters = fixed.getInt(SnapshotFormat.fixedHeaderBytes() - 4);
    if (voters < 1 || voters > SnapshotFormat.VOTERS_MAX) {
      throw new CorruptStorageException(
          fileName, SnapshotFormat.fixedHeaderBytes() - 4, "impossible voter count " + voters);
    }
    ByteBuffer header = readExactly(file, 0, SnapshotFormat.headerBytes(voters), fileName);
    try {
      SnapshotMeta meta = SnapshotFormat.parseHeader(header, fileName);
      if (!SnapshotFormat.fileName(meta.index(), meta.term()).equals(fileName)) {
        throw new IllegalArgumentException(
            "header says " + meta.index() + "@" + meta.term() + ", the file name disagrees");
      }
      return meta;
    } catch (IllegalArgumentException e) {
      throw new CorruptStorageException(fileName, 0, e.getMessage());
    }
  }

  static ByteBuffer readExactly(
      FileSystem.ReadableFile file, long offset, int count, String fileName) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(count);
    while (buffer.hasRemaining()) {
      if (file.read(buffer, offset + buffer.position()) < 0) {
        throw new CorruptStorageException(
            fileName, offset + buffer.position(), "file ends inside a " + count + "-byte read");
      }
    }
    return buffer.flip();
  }

  private interface IoAction {
    void run() throws IOException;
  }

  private void sync(IoAction action, String what) {
    try {
      action.run();
    } catch (IOException e) {
      FatalDiskError error =
          new FatalDiskError(
              "fsync of "
                  + what
                  + " failed: "
                  + e.getMessage()
                  + "; stopping, since what reached the disk is unknown",
              e);
      fatalHandler.onFatal(error);
      throw error;
    }
  }

  private void deleteQuietly(Path path) {
    try {
      if (fs.exists(path)) {
        fs.delete(path);
      }
    } catch (IOException e) {
      // A stale temp file is harmless: prune() removes it on the next snapshot.
      LOG.warn("snapshot temp file {} could not be deleted: {}", path, e.getMessage());
    }
  }

  /** Buffers data into CRC'd chunks and, on close, writes the end record. */
  private static final class ChunkedOutput extends OutputStream {
    private final FileSystem.WritableFile file;
    private final byte[] chunk = new byte[SnapshotFormat.CHUNK_BYTES_MAX];
    private final CRC32C whole = new CRC32C();
    private int used;
    private long total;
    private boolean closed;

    ChunkedOutput(FileSystem.WritableFile file) {
      this.file = file;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
      while (length > 0) {
        int copy = Math.min(length, chunk.length - used);
        System.arraycopy(bytes, offset, chunk, used, copy);
        used += copy;
        offset += copy;
        length -= copy;
        if (used == chunk.length) {
          flushChunk();
        }
      }
    }

    private void flushChunk() throws IOException {
      if (used == 0) {
        return;
      }
      ByteBuffer head = ByteBuffer.allocate(8);
      head.putInt(used).putInt(SnapshotFormat.crc(chunk, 0, used)).flip();
      file.write(head);
      file.write(ByteBuffer.wrap(chunk, 0, used));
      whole.update(chunk, 0, used);
      total += used;
      used = 0;
    }

    @Override
    public void close() throws IOException {
      if (closed) {
        return;
      }
      closed = true;
      flushChunk();
      ByteBuffer end = ByteBuffer.allocate(SnapshotFormat.END_BYTES);
      end.putInt(0).putLong(total).putInt((int) whole.getValue()).flip();
      file.write(end);
    }
  }
}
