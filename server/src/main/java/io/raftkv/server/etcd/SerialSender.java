package io.raftkv.server.etcd;

import com.google.protobuf.MessageLite;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends a stream's responses in the order they were queued, from {@code executor} rather than the
 * caller's thread: the event loop queues, and never serializes a response itself. Under gRPC flow
 * control: it hands gRPC a response only while the call is ready, so a client that does not read
 * leaves the responses here, where {@link #backlogged()} tells the producer to stop making them;
 * {@code onDrained} runs once the queue has emptied after a backlog. Thread-safe.
 */
final class SerialSender<T extends MessageLite> {
  private final StreamObserver<T> out;
  private final Executor executor;
  private final long backlogBytes;
  private final Runnable onDrained;
  private final ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>();
  private final AtomicLong queuedBytes = new AtomicLong();
  private final AtomicBoolean draining = new AtomicBoolean();
  private final AtomicBoolean wasBacklogged = new AtomicBoolean();
  private volatile boolean closed;

  /**
   * @param backlogBytes queued bytes past which {@link #backlogged()} says so
   * @param onDrained runs (on {@code executor}) when the queue empties after a backlog
   */
  SerialSender(StreamObserver<T> out, Executor executor, long backlogBytes, Runnable onDrained) {
    this.out = out;
    this.executor = executor;
    this.backlogBytes = backlogBytes;
    this.onDrained = onDrained;
    if (out instanceof ServerCallStreamObserver<T> call) {
      call.setOnReadyHandler(this::scheduleDrain);
    }
  }

  void send(T response) {
    if (closed) {
      return;
    }
    queuedBytes.addAndGet(response.getSerializedSize());
    enqueue(response);
  }

  /** Ends the stream with {@code error} once everything queued before it was sent. */
  void fail(StatusRuntimeException error) {
    enqueue(new Failure(error));
  }

  boolean isClosed() {
    return closed;
  }

  /** More than the backlog limit waits for the client: stop producing until {@code onDrained}. */
  boolean backlogged() {
    if (queuedBytes.get() <= backlogBytes) {
      return false;
    }
    wasBacklogged.set(true);
    // A drain may have emptied the queue between the two reads and missed the flag: then nothing
    // else would ever call onDrained.
    if (queue.isEmpty() && wasBacklogged.compareAndSet(true, false)) {
      executor.execute(onDrained);
    }
    return true;
  }

  private record Failure(StatusRuntimeException error) {}

  private void enqueue(Object item) {
    if (closed) {
      return;
    }
    queue.add(item);
    scheduleDrain();
  }

  private void scheduleDrain() {
    if (!queue.isEmpty() && draining.compareAndSet(false, true)) {
      executor.execute(this::drain);
    }
  }

  private boolean ready() {
    return !(out instanceof ServerCallStreamObserver<T> call) || call.isReady();
  }

  @SuppressWarnings("unchecked")
  private void drain() {
    while (true) {
      Object item;
      // A failure goes out even when the call is not ready: it ends the stream.
      while ((item = queue.peek()) != null && (ready() || item instanceof Failure)) {
        queue.poll();
        if (closed) {
          continue;
        }
        try {
          if (item instanceof Failure failure) {
            closed = true;
            out.onError(failure.error());
          } else {
            queuedBytes.addAndGet(-((T) item).getSerializedSize());
            out.onNext((T) item);
          }
        } catch (RuntimeException e) {
          // The client went away: nothing more can be sent.
          closed = true;
        }
      }
      if (queue.isEmpty() && !closed && wasBacklogged.compareAndSet(true, false)) {
        onDrained.run();
      }
      draining.set(false);
      // Re-check: an item queued, or the call turned ready, after the loop above looked.
      if (queue.isEmpty() || !ready() || !draining.compareAndSet(false, true)) {
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
