package io.raftkv.client;

import io.etcd.jetcd.api.ClusterGrpc;
import io.etcd.jetcd.api.MemberListRequest;
import io.etcd.jetcd.api.MemberListResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * etcd's Cluster service: the members.
 *
 * <pre>{@code
 * for (Member m : client.cluster().memberList().join().getMembersList()) {
 *   System.out.println(m.getName() + " " + m.getClientURLsList());
 * }
 * }</pre>
 */
public final class Cluster {
  private final Calls calls;

  Cluster(Calls calls) {
    this.calls = calls;
  }

  /** The members, as the leader knows them. */
  public CompletableFuture<MemberListResponse> memberList() {
    MemberListRequest request = MemberListRequest.getDefaultInstance();
    return calls.call(
        Calls.Route.LEADER,
        Calls.Kind.READ,
        (channel, timeout) ->
            ClusterGrpc.newFutureStub(channel)
                .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .memberList(request));
  }
}
