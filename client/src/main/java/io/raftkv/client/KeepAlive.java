package io.raftkv.client;

/** A running lease keep-alive. */
public interface KeepAlive extends AutoCloseable {
  /** How many times the stream broke and was opened again. */
  int resumeCount();

  /** Stops renewing; the listener's {@code onEnded} is told, with a CancellationException. */
  @Override
  void close();
}
