package io.raftkv.storage;

/**
 * An fsync failed, or the disk failed in a way that leaves what is durable unknown. After a failed
 * fsync the kernel may already have dropped the dirty pages and marked them clean, so a retry can
 * "succeed" without the data ever reaching the disk (the 2018 PostgreSQL fsync lesson): the only
 * safe reaction is to stop the node and recover from what is on disk.
 */
public final class FatalDiskError extends Error {
  public FatalDiskError(String message, Throwable cause) {
    super(message, cause);
  }
}
