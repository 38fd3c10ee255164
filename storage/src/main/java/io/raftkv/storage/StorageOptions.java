package io.raftkv.storage;

/**
 * Tunables of one node's storage.
 *
 * @param segmentBytesMax a segment is sealed and a new one started once it reaches this size
 * @param preallocateBytes zeros written ahead of the log a chunk at a time (at most a segment's
 *     worth), so that a batch's fdatasync commits no new file length; 0 for none
 * @param snapshotsRetained snapshot files kept, newest first (at least 1)
 * @param fatalHandler what a failed fsync does; {@link FatalDiskHandler#HALT} in production
 */
public record StorageOptions(
    long segmentBytesMax,
    long preallocateBytes,
    int snapshotsRetained,
    FatalDiskHandler fatalHandler) {
  public static final long SEGMENT_BYTES_DEFAULT = 64L << 20;
  public static final long PREALLOCATE_BYTES_DEFAULT = 16L << 20;

  public StorageOptions {
    if (segmentBytesMax < 1024) {
      throw new IllegalArgumentException("segmentBytesMax must be >= 1024, got " + segmentBytesMax);
    }
    if (preallocateBytes < 0) {
      throw new IllegalArgumentException("preallocateBytes must be >= 0, got " + preallocateBytes);
    }
    if (snapshotsRetained < 1) {
      throw new IllegalArgumentException(
          "snapshotsRetained must be >= 1, got " + snapshotsRetained);
    }
    if (fatalHandler == null) {
      throw new IllegalArgumentException("fatalHandler must not be null");
    }
  }

  public static StorageOptions defaults() {
    return new StorageOptions(
        SEGMENT_BYTES_DEFAULT, PREALLOCATE_BYTES_DEFAULT, 2, FatalDiskHandler.HALT);
  }

  public StorageOptions withSegmentBytesMax(long bytes) {
    return new StorageOptions(bytes, preallocateBytes, snapshotsRetained, fatalHandler);
  }

  public StorageOptions withPreallocateBytes(long bytes) {
    return new StorageOptions(segmentBytesMax, bytes, snapshotsRetained, fatalHandler);
  }

  public StorageOptions withSnapshotsRetained(int count) {
    return new StorageOptions(segmentBytesMax, preallocateBytes, count, fatalHandler);
  }

  public StorageOptions withFatalHandler(FatalDiskHandler handler) {
    return new StorageOptions(segmentBytesMax, preallocateBytes, snapshotsRetained, handler);
  }
}
