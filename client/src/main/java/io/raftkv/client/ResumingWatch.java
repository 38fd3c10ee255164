package io.raftkv.client;

import io.etcd.jetcd.api.Event;
import io.etcd.jetcd.api.WatchCreateRequest;
import io.etcd.jetcd.api.WatchGrpc;
import io.etcd.jetcd.api.WatchRequest;
import io.etcd.jetcd.api.WatchResponse;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Executor;

/**
 * One watch on its own stream, opened again after every break from {@code nextRevision}: the
 * revision after the last event delivered (or after the creation revision, or after a progress
 * notification's revision, which promises every earlier event was sent).
 */
final class ResumingWatch implements Watcher {
  private final Calls calls;
  private final WatchCreateRequest request;
  private final Watch.Listener listener;
  private final Executor serial;
  private final StreamResumer resumer;

  private long nextRevision;
  private boolean ended;
  private ClientCallStreamObserver<WatchRequest> stream;

  ResumingWatch(Calls calls, WatchCreateRequest request, Watch.Listener listener, Executor serial) {
    this.calls = calls;
    this.request = request;
    this.listener = listener;
    this.serial = serial;
    this.nextRevision = request.getStartRevision();
    this.resumer = new StreamResumer(calls, calls.config().jitterSeed() ^ request.hashCode());
  }

  @Override
  public synchronized long nextRevision() {
    return nextRevision;
  }

  @Override
  public synchronized int resumeCount() {
    return resumer.resumeCount();
  }

  void start() {
    connect();
  }

  private synchronized void connect() {
    if (ended) {
      return;
    }
    // The leader if known: it is the member most likely to have every event first.
    String endpoint = calls.endpoints().preferLeader();
    WatchCreateRequest create = request.toBuilder().setStartRevision(nextRevision).build();
    StreamObserver<WatchRequest> requests =
        WatchGrpc.newStub(calls.endpoints().channel(endpoint)).watch(new Responses(endpoint));
    requests.onNext(WatchRequest.newBuilder().setCreateRequest(create).build());
  }

  /** One stream's responses; a stale stream (replaced after a break) is ignored. */
  private final class Responses implements ClientResponseObserver<WatchRequest, WatchResponse> {
    private final String endpoint;
    private ClientCallStreamObserver<WatchRequest> mine;

    Responses(String endpoint) {
      this.endpoint = endpoint;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<WatchRequest> requests) {
      mine = requests;
      synchronized (ResumingWatch.this) {
        stream = requests;
      }
    }

    @Override
    public void onNext(WatchResponse response) {
      synchronized (ResumingWatch.this) {
        if (ended || stream != mine) {
          return;
        }
        if (response.getCreated() && !response.getCanceled()) {
          resumer.succeeded();
          if (nextRevision == 0) {
            nextRevision = response.getHeader().getRevision() + 1;
          }
        }
        if (response.getCanceled()) {
          end(
              response.getCompactRevision() > 0
                  ? new WatchCompactedException(response.getCompactRevision(), nextRevision)
                  : new IllegalStateException(
                      "watch canceled by the server: " + response.getCancelReason()));
          mine.cancel("watch ended", null);
          return;
        }
        if (response.getEventsCount() > 0) {
          Event last = response.getEvents(response.getEventsCount() - 1);
          nextRevision = last.getKv().getModRevision() + 1;
        } else if (!response.getCreated() && response.getHeader().getRevision() >= nextRevision) {
          nextRevision = response.getHeader().getRevision() + 1;
        }
        if (response.getEventsCount() > 0 || !response.getCreated()) {
          serial.execute(() -> listener.onEvents(response));
        }
      }
    }

    @Override
    public void onError(Throwable failure) {
      broken(mine, endpoint, failure);
    }

    @Override
    public void onCompleted() {
      broken(mine, endpoint, null);
    }
  }

  private synchronized void broken(
      ClientCallStreamObserver<WatchRequest> which, String endpoint, Throwable failure) {
    if (ended || stream != which) {
      return;
    }
    if (failure != null && Failures.endsStream(failure)) {
      end(Failures.unwrap(failure));
      return;
    }
    stream = null;
    if (!resumer.resumeAfterBreak(endpoint, this::connect)) {
      end(new java.util.concurrent.CancellationException("the client was closed"));
    }
  }

  private void end(Throwable why) {
    ended = true;
    serial.execute(() -> listener.onEnded(why));
  }

  @Override
  public synchronized void close() {
    if (ended) {
      return;
    }
    if (stream != null) {
      stream.cancel("watch closed by the client", null);
    }
    end(new CancellationException("watch closed by the client"));
  }
}
