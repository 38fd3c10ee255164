package io.raftkv.client;

import io.etcd.jetcd.api.HashKVRequest;
import io.etcd.jetcd.api.HashKVResponse;
import io.etcd.jetcd.api.MaintenanceGrpc;
import io.etcd.jetcd.api.MoveLeaderRequest;
import io.etcd.jetcd.api.MoveLeaderResponse;
import io.etcd.jetcd.api.StatusRequest;
import io.etcd.jetcd.api.StatusResponse;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * etcd's Maintenance service, member by member: each call names the endpoint it asks, as etcdctl's
 * {@code endpoint status} and {@code endpoint hashkv} do.
 *
 * <pre>{@code
 * for (String endpoint : client.endpoints()) {
 *   StatusResponse s = client.maintenance().status(endpoint).join();
 *   boolean leads = s.getLeader() == s.getHeader().getMemberId();
 *   System.out.println(endpoint + " term " + s.getRaftTerm() + (leads ? " leader" : ""));
 * }
 * }</pre>
 */
public final class Maintenance {
  private final Calls calls;

  Maintenance(Calls calls) {
    this.calls = calls;
  }

  /** The endpoints the client knows: the ones given and the ones the cluster listed. */
  public List<String> endpoints() {
    return calls.endpoints().all();
  }

  /**
   * The endpoint of the leader, asked of every member now (empty if none names itself leader); the
   * client sends its writes there from then on.
   */
  public CompletableFuture<Optional<String>> findLeader() {
    return calls.endpoints().refresh().thenApplyAsync(leader -> leader, calls.callbacks());
  }

  public CompletableFuture<StatusResponse> status(String endpoint) {
    return calls.callAt(
        Endpoints.normalise(endpoint),
        (channel, timeout) ->
            MaintenanceGrpc.newFutureStub(channel)
                .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .status(StatusRequest.getDefaultInstance()));
  }

  /** The hash of {@code endpoint}'s key-value history up to {@code revision} (0: all of it). */
  public CompletableFuture<HashKVResponse> hashKv(String endpoint, long revision) {
    HashKVRequest request = HashKVRequest.newBuilder().setRevision(revision).build();
    return calls.callAt(
        Endpoints.normalise(endpoint),
        (channel, timeout) ->
            MaintenanceGrpc.newFutureStub(channel)
                .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .hashKV(request));
  }

  /** Hands leadership to the member {@code targetMemberId}; the leader must be asked. */
  public CompletableFuture<MoveLeaderResponse> moveLeader(long targetMemberId) {
    MoveLeaderRequest request = MoveLeaderRequest.newBuilder().setTargetID(targetMemberId).build();
    return calls.call(
        Calls.Route.LEADER,
        Calls.Kind.PLAIN_WRITE,
        (channel, timeout) ->
            MaintenanceGrpc.newFutureStub(channel)
                .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .moveLeader(request));
  }
}
