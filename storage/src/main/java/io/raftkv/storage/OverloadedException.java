package io.raftkv.storage;

/** The group-commit queue is full: nothing was queued; retry after earlier writes complete. */
public final class OverloadedException extends StorageException {
  public OverloadedException(String message) {
    super(message);
  }
}
