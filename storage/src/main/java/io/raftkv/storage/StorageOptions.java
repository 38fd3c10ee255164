package io.raftkv.storage;

/**
 * Tunables of one node's storage.
 *
 * @param segmentBytesMax a segment is sealed and a new one started once it reaches this size
 * @param snapshotsRetained snapshot files kept, newest first (at least 1)
 * @param fatalHandler what a failed fsync does; {@link FatalDiskHandler#HALT} in production
 */
public record StorageOptions(long segmentBytesMax, int snapshotsRetained,
    FatalDiskHandler fatalHandler) {
  public static final long SEGMENT_BYTES_DEFAULT = 64L << 20;

  public StorageOptions {
    if (segmentBytesMax < 1024) {
      throw new IllegalArgumentException("segmentBytesMax must be >= 1024, got "
          + segmentBytesMax);
    }
    if (snapshotsRetained < 1) {
      throw new IllegalArgumentException("snapshotsRetained must be >= 1, got "
          + snapshotsRetained);
    }
    if (fatalHandler == null) {
      throw new IllegalArgumentException("fatalHandler must not be null");
    }
  }

  public static StorageOptions defaults() {
    return new StorageOptions(SEGMENT_BYTES_DEFAULT, 2, FatalDiskHandler.HALT);
  }

  public StorageOptions withSegmentBytesMax(long bytes) {
    return new StorageOptions(bytes, snapshotsRetained, fatalHandler);
  }

  public StorageOptions withSnapshotsRetained(int count) {
    return new StorageOptions(segmentBytesMax, count, fatalHandler);
  }

  public StorageOptions withFatalHandler(FatalDiskHandler handler) {
    return new StorageOptions(segmentBytesMax, snapshotsRetained, handler);
  }
}
