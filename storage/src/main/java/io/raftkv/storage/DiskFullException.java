package io.raftkv.storage;

/**
 * A write found the disk full. The batch being written is refused and its partial bytes cut off
 * again; everything synced before stays durable and readable, and a later write may succeed once
 * space is freed. Nothing the caller submitted in the refused batch was made durable.
 */
public final class DiskFullException extends StorageException {
  public DiskFullException(String message, Throwable cause) {
    super(message, cause);
  }
}
