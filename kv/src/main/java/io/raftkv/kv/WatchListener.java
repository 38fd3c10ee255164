package io.raftkv.kv;

/**
 * Told, on the apply thread, that a watch has something to poll (events, or it fell behind, or it
 * was compacted). Must not block and must not call back into the store: schedule the poll instead.
 */
@FunctionalInterface
public interface WatchListener {
  void readyToPoll(Watch watch);

  WatchListener NONE = watch -> {};
}
