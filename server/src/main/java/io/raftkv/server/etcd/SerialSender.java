package io.raftkv.server.etcd;

import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Sends a stream's responses in the order they were queued, from {@code executor} rather than the
 * caller's thread: the event loop queues, and never serializes a response itself. Thread-safe.
 */
final class SerialSender<T> {
  private final StreamObserver<T> out;
  private final Executor executor;
  private final ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean draining = new AtomicBoolean();
  private volatile boolean closed;

  SerialSender(StreamObserver<T> out, Executor executor) {
    this.out = out;
    this.executor = executor;
  }

  void send(T response) {
    enqueue(response);
  }

  /** Ends the stream with {@code error} once everything queued before it was sent. */
  void fail(StatusRuntimeException error) {
    enqueue(new Failure(error));
  }

  boolean isClosed() {
    return closed;
  }

  private record Failure(StatusRuntimeException error) {}

  private void enqueue(Object item) {
    if (closed) {
      return;
    }
    queue.add(item);
    if (draining.compareAndSet(false, true)) {
      executor.execute(this::drain);
    }
  }

  @SuppressWarnings("unchecked")
  private void drain() {
    while (true) {
      Object item;
      while ((item = queue.poll()) != null) {
        if (closed) {
          continue;
        }
        try {
          if (item instanceof Failure failure) {
            closed = true;
            out.onError(failure.error());
          } else {
            out.onNext((T) item);
          }
        } catch (RuntimeException e) {
          // The client went away: nothing more can be sent.
          closed = true;
        }
      }
      draining.set(false);
      if (queue.isEmpty() || !draining.compareAndSet(false, true)) {
        return;
      }
    }
  }

  /** The client ended the stream: drop what is queued. */
  void close() {
    closed = true;
    queue.clear();
  }
}
