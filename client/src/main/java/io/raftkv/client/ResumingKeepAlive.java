package io.raftkv.client;

import io.etcd.jetcd.api.LeaseGrpc;
import io.etcd.jetcd.api.LeaseKeepAliveRequest;
import io.etcd.jetcd.api.LeaseKeepAliveResponse;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One lease's keep-alive stream, opened on the leader (raftkv forwards a keep-alive it cannot
 * serve; etcd answers from the leader only) and opened again after every break. The first renewal
 * on a new stream says whether the lease outlived the break: a TTL of 0 means it expired.
 */
final class ResumingKeepAlive implements KeepAlive {
  /** Renew at least this often, whatever the TTL (etcd's client renews every TTL / 3). */
  private static final Duration RENEW_MIN = Duration.ofMillis(500);

  private final Calls calls;
  private final long leaseId;
  private final Lease.KeepAliveListener listener;
  private final Executor serial;
  private final StreamResumer resumer;

  private boolean ended;
  private ClientCallStreamObserver<LeaseKeepAliveRequest> stream;
  private ScheduledFuture<?> nextRenewal;

  ResumingKeepAlive(Calls calls, long leaseId, Lease.KeepAliveListener listener, Executor serial) {
    this.calls = calls;
    this.leaseId = leaseId;
    this.listener = listener;
    this.serial = serial;
    this.resumer = new StreamResumer(calls, calls.config().jitterSeed() ^ leaseId);
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
    String endpoint = calls.endpoints().preferLeader();
    LeaseGrpc.newStub(calls.endpoints().channel(endpoint)).leaseKeepAlive(new Responses(endpoint));
    renew();
  }

  /**
   * Sends one renewal, and another after the attempt timeout unless an answer comes first: a member
   * with no leader drops a keep-alive it cannot relay, and the stream stays open.
   */
  private synchronized void renew() {
    if (ended || stream == null) {
      return;
    }
    stream.onNext(LeaseKeepAliveRequest.newBuilder().setID(leaseId).build());
    ClientCallStreamObserver<LeaseKeepAliveRequest> sentOn = stream;
    schedule(sentOn, calls.config().attemptTimeout().toMillis());
  }

  private void schedule(ClientCallStreamObserver<LeaseKeepAliveRequest> on, long delayMillis) {
    if (nextRenewal != null) {
      nextRenewal.cancel(false);
    }
    nextRenewal =
        calls
            .timer()
            .schedule(
                () -> {
                  synchronized (this) {
                    if (stream == on) {
                      renew();
                    }
                  }
                },
                delayMillis,
                TimeUnit.MILLISECONDS);
  }

  private final class Responses
      implements ClientResponseObserver<LeaseKeepAliveRequest, LeaseKeepAliveResponse> {
    private final String endpoint;
    private ClientCallStreamObserver<LeaseKeepAliveRequest> mine;

    Responses(String endpoint) {
      this.endpoint = endpoint;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<LeaseKeepAliveRequest> requests) {
      mine = requests;
      synchronized (ResumingKeepAlive.this) {
        stream = requests;
      }
    }

    @Override
    public void onNext(LeaseKeepAliveResponse response) {
      synchronized (ResumingKeepAlive.this) {
        if (ended || stream != mine) {
          return;
        }
        if (response.getTTL() <= 0) {
          mine.cancel("lease expired", null);
          end(new LeaseExpiredException(leaseId));
          return;
        }
        resumer.succeeded();
        serial.execute(() -> listener.onRenewed(response));
        Duration every = Duration.ofSeconds(response.getTTL()).dividedBy(3);
        long delayMillis = Math.max(RENEW_MIN.toMillis(), every.toMillis());
        schedule(mine, delayMillis);
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
      ClientCallStreamObserver<LeaseKeepAliveRequest> which, String endpoint, Throwable failure) {
    if (ended || stream != which) {
      return;
    }
    if (failure != null && Failures.hasDescription(failure, Failures.LEASE_NOT_FOUND)) {
      end(new LeaseExpiredException(leaseId));
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
    if (nextRenewal != null) {
      nextRenewal.cancel(false);
    }
    serial.execute(() -> listener.onEnded(why));
  }

  @Override
  public synchronized void close() {
    if (ended) {
      return;
    }
    if (stream != null) {
      stream.cancel("keep-alive closed by the client", null);
    }
    end(new CancellationException("keep-alive closed by the client"));
  }
}
