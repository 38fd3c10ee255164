package io.raftkv.storage;

/**
 * A storage failure the node can report and survive without having lost anything durable, or (for
 * {@link CorruptStorageException}) a refusal to start. A failed fsync is never one of these: it is
 * a {@link FatalDiskError}.
 */
public class StorageException extends RuntimeException {
  public StorageException(String message) {
    super(message);
  }

  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
