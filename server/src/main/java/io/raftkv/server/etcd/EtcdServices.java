package io.raftkv.server.etcd;

import io.etcd.jetcd.api.AuthGrpc;
import io.grpc.BindableService;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.raftkv.server.NodeContext;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * etcd's v3 gRPC services (KV, Watch, Lease, Cluster, Maintenance, Auth) on one node, for the
 * process to add to its client-facing gRPC server. Set that server's inbound message limit to
 * {@code --max-request-bytes} plus 512 KiB, as etcd does, so that a request somewhat over the limit
 * gets etcd's "request is too large" rather than gRPC's own refusal.
 */
public final class EtcdServices implements AutoCloseable {
  /** etcd lets gRPC take this much more than --max-request-bytes (v3rpc/grpc.go). */
  public static final int GRPC_OVERHEAD_BYTES = 512 * 1024;

  private final ExecutorService responder = Executors.newVirtualThreadPerTaskExecutor();
  private final List<BindableService> services;

  private EtcdServices(NodeContext node) {
    LeaderRouter router = new LeaderRouter(node);
    ServerInterceptor forwarded = new ForwardedInterceptor();
    ServerInterceptor session = new SessionService.Interceptor();
    KvService kv = new KvService(node, router, responder);
    LeaseService lease = new LeaseService(node, kv, router, responder);
    Headers headers = new Headers(node);
    BindableService leaseWithList =
        () -> LeaseLeases.withLeaseLeases(lease.bindService(), node, headers);
    this.services =
        List.of(
                kv,
                new WatchService(node, responder),
                leaseWithList,
                new ClusterService(node),
                new MaintenanceService(node, responder),
                authUnimplemented(),
                (BindableService) () -> SessionService.definition(kv))
            .stream()
            .map(service -> intercepted(intercepted(service, session), forwarded))
            .toList();
  }

  /** The services for {@code node}; their response threads are virtual and need no closing. */
  public static List<BindableService> bindAll(NodeContext node) {
    return create(node).services();
  }

  /** As {@link #bindAll}, keeping the handle that {@link #close()}s what they hold. */
  public static EtcdServices create(NodeContext node) {
    return new EtcdServices(node);
  }

  public List<BindableService> services() {
    return services;
  }

  @Override
  public void close() {
    responder.shutdown();
  }

  static final String AUTH_LATER =
      "authentication is not supported yet (raftkv serves every client without auth); it comes"
          + " in a later issue";

  /** Every Auth RPC answers UNIMPLEMENTED, saying why, instead of gRPC's bare "unimplemented". */
  private static BindableService authUnimplemented() {
    BindableService auth = new AuthGrpc.AuthImplBase() {};
    ServerInterceptor refuse =
        new ServerInterceptor() {
          @Override
          public <Q, R> ServerCall.Listener<Q> interceptCall(
              ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            call.close(
                Status.UNIMPLEMENTED.withDescription("raftkv: " + AUTH_LATER), new Metadata());
            return new ServerCall.Listener<>() {};
          }
        };
    return () -> ServerInterceptors.intercept(auth, refuse);
  }

  private static BindableService intercepted(BindableService service, ServerInterceptor with) {
    return () -> ServerInterceptors.intercept(service.bindService(), with);
  }

  /** Marks calls another member forwarded to us (LeaderRouter never forwards them again). */
  private static final class ForwardedInterceptor implements ServerInterceptor {
    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
        ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
      if (!headers.containsKey(LeaderRouter.FORWARDED_HEADER)) {
        return next.startCall(call, headers);
      }
      Context context = Context.current().withValue(LeaderRouter.FORWARDED, true);
      return Contexts.interceptCall(context, call, headers, next);
    }
  }
}
