package io.raftkv.server.etcd;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.raftkv.raft.NodeId;
import io.raftkv.server.NodeContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * etcd's {@code WithRequireLeader} (v3rpc/interceptor.go, monitorLeader). A call whose client sent
 * the metadata {@code hasleader: true} is refused at once with "etcdserver: no leader" while this
 * member knows no leader. A Watch or LeaseKeepAlive stream opened that way enlists here, and is
 * ended with that error once the member has known no leader at {@link #NO_LEADER_CHECKS_MAX} checks
 * in a row, one check per election timeout, as etcd's: reconnecting a stream costs more than
 * refusing a request, so a short election does not end it. Streams without the header go on, served
 * from this member's applied state.
 */
final class LeaderMonitor implements ServerInterceptor {
  static final Metadata.Key<String> REQUIRE_LEADER_KEY =
      Metadata.Key.of("hasleader", Metadata.ASCII_STRING_MARSHALLER);

  static final String HAS_LEADER = "true";

  /** etcd's maxNoLeaderCnt. */
  static final int NO_LEADER_CHECKS_MAX = 3;

  private static final Context.Key<Boolean> REQUIRED = Context.key("raftkv-require-leader");

  private final NodeContext node;
  private final Executor responder;
  private final Set<Runnable> enlisted = ConcurrentHashMap.newKeySet();

  /** Checks in a row without a leader; on the loop only. */
  private int leaderlessChecks;

  LeaderMonitor(NodeContext node, Executor responder) {
    this.node = node;
    this.responder = responder;
  }

  /** Starts checking, once per election timeout, on the node's loop. */
  void start() {
    node.loop().schedule(node.electionTimeout(), this::check);
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    if (!HAS_LEADER.equals(headers.get(REQUIRE_LEADER_KEY))) {
      return next.startCall(call, headers);
    }
    if (!leaderKnown()) {
      call.close(Status.UNAVAILABLE.withDescription(EtcdErrors.NO_LEADER), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    Context context = Context.current().withValue(REQUIRED, true);
    return Contexts.interceptCall(context, call, headers, next);
  }

  /**
   * For a stream opened in the current gRPC context: when its client requires a leader, {@code
   * endWithNoLeader} runs (on another thread) once this member has been without one too long. The
   * returned handle withdraws it when the stream ends otherwise; it does nothing for a stream that
   * does not require a leader.
   */
  Runnable enlist(Runnable endWithNoLeader) {
    if (!Boolean.TRUE.equals(REQUIRED.get())) {
      return () -> {};
    }
    enlisted.add(endWithNoLeader);
    return () -> enlisted.remove(endWithNoLeader);
  }

  /** From the Raft status alone: the leader need not be reachable or have published its URLs. */
  private boolean leaderKnown() {
    return !node.raftStatus().leader().equals(NodeId.NONE);
  }

  private void check() {
    leaderlessChecks = leaderKnown() ? 0 : leaderlessChecks + 1;
    if (leaderlessChecks >= NO_LEADER_CHECKS_MAX) {
      List<Runnable> ending = new ArrayList<>(enlisted);
      enlisted.removeAll(ending);
      ending.forEach(responder::execute);
    }
    node.loop().schedule(node.electionTimeout(), this::check);
  }
}
