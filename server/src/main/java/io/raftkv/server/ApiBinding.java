package io.raftkv.server;

import io.grpc.BindableService;
import java.lang.reflect.InvocationTargetException;
import java.util.List;

/**
 * The seam where the etcd API plugs in: {@code io.raftkv.server.etcd.EtcdServices.bindAll(
 * NodeContext)}, written on its own branch. Until that class is on the class path the node serves
 * only {@link LivenessMaintenance} (Maintenance.Status), enough to see a leader.
 *
 * <p>TODO(issue 13): once the etcdapi branch is merged, call EtcdServices.bindAll directly here and
 * delete LivenessMaintenance.
 */
final class ApiBinding {
  private static final String ETCD_SERVICES = "io.raftkv.server.etcd.EtcdServices";

  private ApiBinding() {}

  @SuppressWarnings("unchecked")
  static List<BindableService> services(NodeContext node) {
    Class<?> services;
    try {
      services = Class.forName(ETCD_SERVICES);
    } catch (ClassNotFoundException notYet) {
      return List.of(new LivenessMaintenance(node));
    }
    try {
      return (List<BindableService>)
          services.getMethod("bindAll", NodeContext.class).invoke(null, node);
    } catch (InvocationTargetException e) {
      throw new IllegalStateException("EtcdServices.bindAll failed", e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(ETCD_SERVICES + " has no bindAll(NodeContext)", e);
    }
  }
}
