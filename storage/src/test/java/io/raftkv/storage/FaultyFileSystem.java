package io.raftkv.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * An in-memory {@link FileSystem} that behaves like a disk after power loss, for tests and the
 * simulator. Written-but-unsynced bytes are kept apart from synced ones; names created, renamed or
 * deleted since the last {@link #syncDirectory} are kept apart from durable names. A {@link
 * #crash()} throws away what was not durable, or keeps a torn prefix of the unsynced appends and,
 * sector by sector, old or new bytes where unsynced writes overwrote synced ones, chosen by a
 * seeded {@link Random}, so a failing run replays from its seed.
 *
 * <p>Faults on demand: fail the next fsync ({@link #failNextSyncs}), fail fsyncs at random ({@link
 * #syncFailureProbability}), a disk of limited capacity (writes past it write what fits and then
 * fail with "No space left on device"), bit flips on read, and direct byte access for tests that
 * corrupt a file. Directories themselves are assumed durable once created. Thread-safe (one lock),
 * so a group-commit thread and a test can share it.
 */
public final class FaultyFileSystem implements FileSystem {
  private final Random random;
  private final Map<Path, Inode> names = new HashMap<>();
  private final Map<Path, Inode> durableNames = new HashMap<>();
  private final java.util.Set<Path> directories = new java.util.HashSet<>();
  private long capacityBytes = Long.MAX_VALUE;
  private int syncFailuresPending;
  private double syncFailureProbability;
  private double readBitFlipProbability;
  private long epoch;
  private long syncCount;
  private long operationCount;
  private long powerLossAtOperation = Long.MAX_VALUE;

  public FaultyFileSystem(long seed) {
    this.random = new Random(seed);
  }

  /** Total bytes all files may hold; past it writes fail as on a full disk. */
  public synchronized void capacityBytes(long bytes) {
    this.capacityBytes = bytes;
  }

  /** The next {@code count} fsyncs (file or directory) fail. */
  public synchronized void failNextSyncs(int count) {
    this.syncFailuresPending = count;
  }

  public synchronized void syncFailureProbability(double probability) {
    this.syncFailureProbability = probability;
  }

  /** Each read flips one random bit of what it returns with this probability. */
  public synchronized void readBitFlipProbability(double probability) {
    this.readBitFlipProbability = probability;
  }

  /** How many fsyncs succeeded, file and directory alike; for group-commit assertions. */
  public synchronized long syncCount() {
    return syncCount;
  }

  /**
   * The power fails just before mutating operation number {@code count} (counted from now: write,
   * sync, truncate, create, rename, delete, directory sync): that call throws {@link PowerLoss}
   * without doing anything. Call {@link #crash()} next, then reopen.
   */
  public synchronized void powerLossAfterOperations(long count) {
    powerLossAtOperation = operationCount + count;
  }

  /** Mutating operations so far; a script's length in crash points. */
  public synchronized long operationCount() {
    return operationCount;
  }

  /** Thrown by the operation a scheduled power loss interrupts. */
  public static final class PowerLoss extends RuntimeException {
    PowerLoss(long operation) {
      super("simulated power loss at operation " + operation);
    }
  }

  private void mutating() {
    if (operationCount >= powerLossAtOperation) {
      throw new PowerLoss(operationCount);
    }
    operationCount++;
  }

  public synchronized long usedBytes() {
    long used = 0;
    for (Inode inode : distinctInodes()) {
      used += inode.length;
    }
    return used;
  }

  /**
   * Power loss. Every name reverts to its durable state; every file to its synced bytes, plus, at
   * random, a prefix of the bytes appended since its last sync (a torn write) and, for each sector
   * an unsynced write overwrote, its new bytes or its old. Open handles become invalid.
   */
  public synchronized void crash() {
    epoch++;
    powerLossAtOperation = Long.MAX_VALUE;
    names.clear();
    names.putAll(durableNames);
    for (Inode inode : distinctInodes()) {
      inode.crash(random);
    }
  }

  /** The current bytes of a file, synced or not; for tests. */
  public synchronized byte[] bytes(Path path) throws IOException {
    Inode inode = inode(path);
    return Arrays.copyOf(inode.data, inode.length);
  }

  /** Replaces a file's bytes as if written and synced; for tests that corrupt or cut files. */
  public synchronized void replaceDurably(Path path, byte[] bytes) throws IOException {
    Inode inode = inode(path);
    inode.data = bytes.clone();
    inode.length = bytes.length;
    inode.sync();
  }

  @Override
  public synchronized WritableFile create(Path path) throws IOException {
    mutating();
    if (names.containsKey(path)) {
      throw new IOException("file exists: " + path);
    }
    Inode inode = new Inode();
    names.put(path, inode);
    return new Handle(path, inode, epoch);
  }

  @Override
  public synchronized WritableFile openAppend(Path path) throws IOException {
    return new Handle(path, inode(path), epoch);
  }

  @Override
  public synchronized ReadableFile openRead(Path path) throws IOException {
    return new Handle(path, inode(path), epoch);
  }

  @Override
  public synchronized List<String> list(Path directory) {
    List<String> result = new ArrayList<>();
    for (Path path : names.keySet()) {
      if (directory.equals(path.getParent())) {
        result.add(path.getFileName().toString());
      }
    }
    result.sort(null);
    return result;
  }

  @Override
  public synchronized boolean exists(Path path) {
    return names.containsKey(path) || directories.contains(path);
  }

  @Override
  public synchronized void rename(Path source, Path target) throws IOException {
    mutating();
    Inode inode = inode(source);
    names.remove(source);
    names.put(target, inode);
  }

  @Override
  public synchronized void delete(Path path) throws IOException {
    mutating();
    inode(path);
    names.remove(path);
  }

  @Override
  public synchronized void createDirectories(Path directory) {
    // Directories are modelled as durable once created: storage creates each once, at start.
    for (Path p = directory; p != null; p = p.getParent()) {
      directories.add(p);
    }
  }

  @Override
  public synchronized void syncDirectory(Path directory) throws IOException {
    mutating();
    injectSyncFailure("directory " + directory);
    durableNames.keySet().removeIf(p -> directory.equals(p.getParent()));
    for (Map.Entry<Path, Inode> e : names.entrySet()) {
      if (directory.equals(e.getKey().getParent())) {
        durableNames.put(e.getKey(), e.getValue());
      }
    }
    syncCount++;
  }

  private void injectSyncFailure(String what) throws IOException {
    if (syncFailuresPending > 0
        || (syncFailureProbability > 0 && random.nextDouble() < syncFailureProbability)) {
      syncFailuresPending = Math.max(0, syncFailuresPending - 1);
      throw new IOException("injected fsync failure on " + what);
    }
  }

  private Inode inode(Path path) throws IOException {
    Inode inode = names.get(path);
    if (inode == null) {
      throw new NoSuchFileException(path.toString());
    }
    return inode;
  }

  private List<Inode> distinctInodes() {
    List<Inode> result = new ArrayList<>();
    for (Inode inode : names.values()) {
      if (!result.contains(inode)) {
        result.add(inode);
      }
    }
    for (Inode inode : durableNames.values()) {
      if (!result.contains(inode)) {
        result.add(inode);
      }
    }
    return result;
  }

  /**
   * The unit in which a crash keeps or loses an unsynced overwrite: a disk sector, the most a drive
   * promises to write whole, finer than the 4 KiB pages the kernel writes back.
   */
  static final int SECTOR_BYTES = 512;

  /** One file: {@code data[0, length)} is what reads see, {@code durable} what a crash keeps. */
  private static final class Inode {
    byte[] data = new byte[0];
    int length;
    byte[] durable = new byte[0];

    /** Lowest offset changed since the last sync; bytes below it equal {@code durable}. */
    int dirtyFrom = Integer.MAX_VALUE;

    void sync() {
      durable = Arrays.copyOf(data, length);
      dirtyFrom = Integer.MAX_VALUE;
    }

    void crash(Random random) {
      int durableLength = durable.length;
      int keep = durableLength;
      // Bytes appended past the durable end survive as a prefix: that is a torn write.
      if (length > durableLength && random.nextBoolean()) {
        keep = durableLength + random.nextInt(length - durableLength + 1);
      }
      byte[] survived = Arrays.copyOf(durable, keep);
      System.arraycopy(data, durableLength, survived, durableLength, keep - durableLength);
      // Overwritten sectors reach the disk in no order: each keeps its old or its new bytes.
      for (int sector = dirtyFrom / SECTOR_BYTES * SECTOR_BYTES;
          sector < Math.min(durableLength, length);
          sector += SECTOR_BYTES) {
        if (random.nextBoolean()) {
          int from = Math.max(sector, dirtyFrom);
          int to = Math.min(sector + SECTOR_BYTES, Math.min(durableLength, length));
          System.arraycopy(data, from, survived, from, to - from);
        }
      }
      data = survived;
      length = keep;
      durable = survived.clone();
      dirtyFrom = Integer.MAX_VALUE;
    }

    void write(ByteBuffer source, int offset, int count) {
      if (data.length < offset + count) {
        data = Arrays.copyOf(data, Math.max(offset + count, data.length * 2));
      }
      source.get(data, offset, count);
      length = Math.max(length, offset + count);
      dirtyFrom = Math.min(dirtyFrom, offset);
    }
  }

  private final class Handle implements WritableFile, ReadableFile {
    private final Path path;
    private final Inode inode;
    private final long openedEpoch;
    private long position;

    Handle(Path path, Inode inode, long openedEpoch) {
      this.path = path;
      this.inode = inode;
      this.openedEpoch = openedEpoch;
      this.position = inode.length;
    }

    @Override
    public void write(ByteBuffer source) throws IOException {
      synchronized (FaultyFileSystem.this) {
        checkLive();
        mutating();
        int grows = (int) Math.max(0, position + source.remaining() - inode.length);
        long free = capacityBytes - usedBytes();
        int fits = source.remaining() - grows + (int) Math.max(0, Math.min(grows, free));
        inode.write(source, (int) position, fits);
        position += fits;
        if (source.hasRemaining()) {
          throw new IOException(Files2.NO_SPACE + " writing " + path);
        }
      }
    }

    @Override
    public void position(long newPosition) throws IOException {
      synchronized (FaultyFileSystem.this) {
        checkLive();
        if (newPosition > inode.length) {
          throw new IOException(
              "position "
                  + newPosition
                  + " is past the end of "
                  + path
                  + " ("
                  + inode.length
                  + " bytes)");
        }
        position = newPosition;
      }
    }

    @Override
    public void preallocate(long sizeBytes) throws IOException {
      synchronized (FaultyFileSystem.this) {
        checkLive();
        mutating();
        long grows = Math.max(0, sizeBytes - inode.length);
        long fits = Math.min(grows, Math.max(0, capacityBytes - usedBytes()));
        inode.write(ByteBuffer.allocate((int) fits), inode.length, (int) fits);
        if (fits < grows) {
          throw new IOException(Files2.NO_SPACE + " preallocating " + path);
        }
        sync();
      }
    }

    @Override
    public void sync() throws IOException {
      synchronized (FaultyFileSystem.this) {
        checkLive();
        mutating();
        injectSyncFailure(path.toString());
        inode.sync();
        syncCount++;
      }
    }

    @Override
    public long sizeBytes() throws IOException {
      synchronized (FaultyFileSystem.this) {
        checkLive();
        return inode.length;
      }
    }

    @Override
    public void truncate(long sizeBytes) throws IOException {
      synchronized (FaultyFileSystem.this) {
        checkLive();
        mutating();
        if (sizeBytes < inode.length) {
          inode.length = (int) sizeBytes;
          inode.dirtyFrom = Math.min(inode.dirtyFrom, inode.length);
        }
        position = Math.min(sizeBytes, inode.length);
      }
    }

    @Override
    public int read(ByteBuffer destination, long position) throws IOException {
      synchronized (FaultyFileSystem.this) {
        checkLive();
        if (position >= inode.length) {
          return -1;
        }
        int count = (int) Math.min(destination.remaining(), inode.length - position);
        int start = destination.position();
        destination.put(inode.data, (int) position, count);
        if (readBitFlipProbability > 0 && random.nextDouble() < readBitFlipProbability) {
          int at = start + random.nextInt(count);
          destination.put(at, (byte) (destination.get(at) ^ (1 << random.nextInt(8))));
        }
        return count;
      }
    }

    @Override
    public void close() {
      // Nothing to release: the bytes live in the inode.
    }

    private void checkLive() throws IOException {
      if (openedEpoch != epoch) {
        throw new IOException("handle on " + path + " is stale: the disk crashed since");
      }
    }
  }
}
