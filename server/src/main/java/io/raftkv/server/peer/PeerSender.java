package io.raftkv.server.peer;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import io.raftkv.raft.Message;
import io.raftkv.server.Member;
import io.raftkv.server.peer.proto.MessageBatch;
import io.raftkv.server.peer.proto.PeerFrame;
import io.raftkv.server.peer.proto.RaftMessage;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stream from this node to one peer. {@link #offer} (from the event loop) only queues: a full
 * queue drops the message (Raft retransmits what matters), so a dead or slow peer never holds up
 * the loop or the other peers. Everything else runs on the transport's one sending thread: it opens
 * the stream (hello first), drains the queue into batches while gRPC says the stream is ready (its
 * flow control is the back-pressure), and reopens a broken stream after a capped, doubling backoff.
 */
final class PeerSender {
  private static final Logger LOG = LoggerFactory.getLogger(PeerSender.class);

  private final PeerTransport transport;
  private final Member peer;
  private final ManagedChannel channel;
  private final ScheduledExecutorService sending;
  private final PeerLimits limits;

  /** Guarded by itself; everything else is confined to the sending thread. */
  private final ArrayDeque<Message> queue = new ArrayDeque<>();

  private long queuedBytes;
  private boolean drainScheduled;
  private long droppedCount;

  private ClientCallStreamObserver<PeerFrame> stream;

  /** Written on the sending thread; read by shutdown when it picks a transfer target. */
  private volatile boolean connected;

  private Duration backoff;
  private boolean closed;

  PeerSender(
      PeerTransport transport,
      Member peer,
      ManagedChannel channel,
      ScheduledExecutorService sending,
      PeerLimits limits) {
    this.transport = transport;
    this.peer = peer;
    this.channel = channel;
    this.sending = sending;
    this.limits = limits;
    this.backoff = limits.reconnectFirst();
  }

  boolean connected() {
    return connected;
  }

  void start() {
    sending.execute(this::open);
  }

  /** Queues {@code message}; drops it when the queue is full in count or bytes. */
  void offer(Message message) {
    long bytes = PeerCodec.estimatedBytes(message);
    boolean schedule;
    synchronized (queue) {
      if (queue.size() >= limits.queueMessagesMax()
          || (queuedBytes > 0 && queuedBytes + bytes > limits.queueBytesMax())) {
        if (droppedCount++ % 1000 == 0) {
          LOG.debug(
              "peer {}: send queue full, dropped {} messages so far", peer.name(), droppedCount);
        }
        return;
      }
      queue.add(message);
      queuedBytes += bytes;
      schedule = !drainScheduled;
      drainScheduled = true;
    }
    if (schedule) {
      sending.execute(this::drain);
    }
  }

  /** Opens a stream and sends the hello; the peer's own hello says it accepted. */
  private void open() {
    if (closed) {
      return;
    }
    // Our own backoff paces the attempts; the channel's (up to 2 minutes) would fail them fast.
    channel.resetConnectBackoff();
    Attempt attempt = new Attempt();
    ClientCalls.asyncBidiStreamingCall(
        channel.newCall(PeerService.STREAM, CallOptions.DEFAULT), attempt);
    stream = attempt.requests;
    stream.onNext(PeerFrame.newBuilder().setHello(transport.helloTo(peer.id())).build());
  }

  /** One stream's callbacks, which gRPC runs on its threads: each hops to the sending thread. */
  private final class Attempt implements ClientResponseObserver<PeerFrame, PeerFrame> {
    private ClientCallStreamObserver<PeerFrame> requests;

    @Override
    public void beforeStart(ClientCallStreamObserver<PeerFrame> requestStream) {
      requests = requestStream;
      requestStream.setOnReadyHandler(() -> post(() -> drainIfCurrent(this)));
    }

    @Override
    public void onNext(PeerFrame frame) {
      post(() -> answered(this, frame));
    }

    @Override
    public void onError(Throwable t) {
      post(() -> broken(this, Status.fromThrowable(t)));
    }

    @Override
    public void onCompleted() {
      post(() -> broken(this, Status.UNAVAILABLE.withDescription("peer ended the stream")));
    }
  }

  /** Runs {@code task} on the sending thread; after close the transport's callbacks are moot. */
  private void post(Runnable task) {
    try {
      sending.execute(task);
    } catch (java.util.concurrent.RejectedExecutionException closing) {
      // The transport is closing: a broken stream is expected and nothing is reopened.
    }
  }

  private void answered(Attempt attempt, PeerFrame frame) {
    if (attempt.requests != stream || connected) {
      return;
    }
    if (frame.getBodyCase() != PeerFrame.BodyCase.HELLO) {
      stream.cancel("peer answered without a hello", null);
      return;
    }
    String problem = transport.checkHello(frame.getHello());
    if (problem != null) {
      LOG.warn("{} peer {} refused: {}", transport.logContext(), peer.name(), problem);
      stream.cancel(problem, null);
      return;
    }
    transport.peerHello(frame.getHello());
    connected = true;
    backoff = limits.reconnectFirst();
    LOG.info("{} peer {} connected", transport.logContext(), peer.name());
    drainNow();
  }

  // The reopen's future is not needed: open() reports its own failures through broken().
  @SuppressWarnings("FutureReturnValueIgnored")
  private void broken(Attempt attempt, Status status) {
    if (attempt.requests != stream) {
      return;
    }
    if (connected) {
      LOG.info(
          "{} peer {} disconnected: {} {}",
          transport.logContext(),
          peer.name(),
          status.getCode(),
          status.getDescription());
    } else if (status.getCode() == Status.Code.FAILED_PRECONDITION) {
      // The handshake was refused (another cluster, a wrong member): say so every time.
      LOG.warn(
          "{} peer {} refused us: {}",
          transport.logContext(),
          peer.name(),
          status.getDescription());
    } else {
      LOG.debug("peer {} unreachable: {}", peer.name(), status);
    }
    connected = false;
    stream = null;
    synchronized (queue) {
      // What queued for a dead stream is stale by the time it comes back; Raft resends.
      queue.clear();
      queuedBytes = 0;
    }
    if (!closed && !sending.isShutdown()) {
      sending.schedule(this::open, backoff.toMillis(), TimeUnit.MILLISECONDS);
      Duration doubled = backoff.multipliedBy(2);
      backoff = doubled.compareTo(limits.reconnectMax()) > 0 ? limits.reconnectMax() : doubled;
    }
  }

  private void drainIfCurrent(Attempt attempt) {
    if (attempt.requests == stream) {
      drainNow();
    }
  }

  private void drain() {
    synchronized (queue) {
      drainScheduled = false;
    }
    drainNow();
  }

  /** Sends batches while the stream is ready; what does not fit waits for the next onReady. */
  private void drainNow() {
    if (!connected || stream == null) {
      return;
    }
    while (stream.isReady()) {
      MessageBatch.Builder batch = MessageBatch.newBuilder();
      long batchBytes = 0;
      while (batch.getMessagesCount() < limits.batchMessagesMax()) {
        Message next;
        synchronized (queue) {
          next = queue.poll();
          if (next != null) {
            queuedBytes -= PeerCodec.estimatedBytes(next);
          }
        }
        if (next == null) {
          break;
        }
        RaftMessage encoded = PeerCodec.encode(next);
        int bytes = encoded.getSerializedSize();
        if (bytes > limits.messageBytesMax()) {
          LOG.warn(
              "peer {}: dropped a {}-byte {} over the {}-byte limit",
              peer.name(),
              bytes,
              next.getClass().getSimpleName(),
              limits.messageBytesMax());
          continue;
        }
        batch.addMessages(encoded);
        batchBytes += bytes;
        if (batchBytes >= limits.batchBytesMax()) {
          break;
        }
      }
      if (batch.getMessagesCount() == 0) {
        return;
      }
      stream.onNext(PeerFrame.newBuilder().setBatch(batch).build());
    }
  }

  /** Ends the stream; nothing more is sent. Run on the sending thread. */
  void close() {
    closed = true;
    if (stream != null) {
      stream.onCompleted();
      stream = null;
    }
  }
}
