package io.raftkv.client;

import com.google.common.util.concurrent.MoreExecutors;
import io.etcd.jetcd.api.LeaseGrantRequest;
import io.etcd.jetcd.api.LeaseGrantResponse;
import io.etcd.jetcd.api.LeaseGrpc;
import io.etcd.jetcd.api.LeaseKeepAliveResponse;
import io.etcd.jetcd.api.LeaseRevokeRequest;
import io.etcd.jetcd.api.LeaseRevokeResponse;
import io.etcd.jetcd.api.LeaseTimeToLiveRequest;
import io.etcd.jetcd.api.LeaseTimeToLiveResponse;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.stub.ClientCalls;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * etcd's Lease service, with keep-alives that survive leader changes: a broken keep-alive stream is
 * opened again (on the leader, once found) and renewal goes on; a lease that expired meanwhile is
 * reported through {@link KeepAliveListener#onEnded} with {@link LeaseExpiredException}, never
 * silently dropped.
 *
 * <pre>{@code
 * long id = client.lease().grant(Duration.ofSeconds(10)).join().getID();
 * client.kv().put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("me"))
 *     .setValue(ByteString.copyFromUtf8("alive")).setLease(id).build()).join();
 * KeepAlive alive = client.lease().keepAlive(id, new Lease.KeepAliveListener() {
 *   public void onRenewed(LeaseKeepAliveResponse r) {}
 *   public void onEnded(Throwable why) { System.err.println("lost the lease: " + why); }
 * });
 * ...
 * alive.close(); // stops renewing; the lease then expires by itself
 * }</pre>
 */
public final class Lease {
  /** Receives one keep-alive's news, one call at a time, never on a gRPC thread. */
  public interface KeepAliveListener {
    /** The lease was renewed for {@code response.getTTL()} seconds. */
    void onRenewed(LeaseKeepAliveResponse response);

    /** Renewal has stopped for good: the lease expired ({@link LeaseExpiredException}) or close. */
    void onEnded(Throwable why);
  }

  private final Calls calls;

  Lease(Calls calls) {
    this.calls = calls;
  }

  /**
   * A new lease of {@code ttl} (whole seconds). A grant retried after a lost reply may leave one
   * unused lease behind, which expires by itself: grants are retried like reads.
   */
  public CompletableFuture<LeaseGrantResponse> grant(Duration ttl) {
    LeaseGrantRequest request = LeaseGrantRequest.newBuilder().setTTL(ttl.toSeconds()).build();
    return calls.call(
        Calls.Route.LEADER,
        Calls.Kind.READ,
        (channel, timeout) -> stub(channel, timeout).leaseGrant(request));
  }

  public CompletableFuture<LeaseRevokeResponse> revoke(long leaseId) {
    LeaseRevokeRequest request = LeaseRevokeRequest.newBuilder().setID(leaseId).build();
    return calls.call(
        Calls.Route.LEADER,
        Calls.Kind.PLAIN_WRITE,
        (channel, timeout) -> stub(channel, timeout).leaseRevoke(request));
  }

  public CompletableFuture<LeaseTimeToLiveResponse> timeToLive(long leaseId, boolean withKeys) {
    LeaseTimeToLiveRequest request =
        LeaseTimeToLiveRequest.newBuilder().setID(leaseId).setKeys(withKeys).build();
    return calls.call(
        Calls.Route.LEADER,
        Calls.Kind.READ,
        (channel, timeout) -> stub(channel, timeout).leaseTimeToLive(request));
  }

  /**
   * The id of every lease, as the leader's applied state holds them (etcd's LeaseLeases; a real
   * etcd 3.4 serves it from any member's lessor).
   */
  public CompletableFuture<LeaseList> leases() {
    return calls.call(
        Calls.Route.LEADER,
        Calls.Kind.READ,
        (channel, timeout) ->
            ClientCalls.futureUnaryCall(
                channel.newCall(
                    LeaseLeasesProtocol.LEASE_LEASES,
                    CallOptions.DEFAULT.withDeadlineAfter(
                        timeout.toMillis(), TimeUnit.MILLISECONDS)),
                new byte[0]));
  }

  /** Renews {@code leaseId} every third of its TTL until closed or the lease is gone. */
  public KeepAlive keepAlive(long leaseId, KeepAliveListener listener) {
    ResumingKeepAlive keepAlive =
        new ResumingKeepAlive(
            calls, leaseId, listener, MoreExecutors.newSequentialExecutor(calls.callbacks()));
    keepAlive.start();
    return keepAlive;
  }

  private static LeaseGrpc.LeaseFutureStub stub(Channel channel, Duration timeout) {
    return LeaseGrpc.newFutureStub(channel)
        .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }
}
