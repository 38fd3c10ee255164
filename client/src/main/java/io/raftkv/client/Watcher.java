package io.raftkv.client;

/** A running watch: where it stands, and how to stop it. */
public interface Watcher extends AutoCloseable {
  /** The revision the next delivered event will have at least (0 before the watch is created). */
  long nextRevision();

  /** How many times the stream broke and was opened again. */
  int resumeCount();

  /** Stops the watch; the listener's {@code onEnded} is told, with a CancellationException. */
  @Override
  void close();
}
