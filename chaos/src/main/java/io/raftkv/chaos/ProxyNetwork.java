package io.raftkv.chaos;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link LinkProxy} for every ordered pair of a {@link LocalCluster}'s members, and each member
 * told to dial its peers through them ({@code --peer-dial-urls}, a raftkv flag: the member ids and
 * {@code --initial-cluster} stay the same on every member).
 *
 * <p>A real etcd has no such flag, and its cluster id is a hash of every member's peer URLs, so
 * giving each member its own view of {@code --initial-cluster} breaks it. Against etcd the proxy
 * can only stand in front of each member (its advertised peer URL is the proxy, listening
 * elsewhere): cutting it isolates that member's inbound traffic from everyone at once, so per-link
 * shapes (bridge, one-way between two members) need network namespaces there.
 */
public final class ProxyNetwork implements Nemesis.PeerLinks, AutoCloseable {
  private final Map<Partitions.Link, LinkProxy> proxies = new LinkedHashMap<>();

  private ProxyNetwork() {}

  /** Creates the proxies and sets each member's dial flags; call before the members start. */
  public static ProxyNetwork install(LocalCluster cluster, long seed) {
    ProxyNetwork network = new ProxyNetwork();
    int index = 0;
    for (ServerNode from : cluster.nodes()) {
      List<String> dial = new ArrayList<>();
      for (ServerNode to : cluster.nodes()) {
        if (from == to) {
          continue;
        }
        Partitions.Link link = new Partitions.Link(from.name(), to.name());
        InetSocketAddress target =
            new InetSocketAddress(InetAddress.getLoopbackAddress(), to.peerPort());
        LinkProxy proxy = new LinkProxy(from.name() + "-" + to.name(), target, seed + index++);
        network.proxies.put(link, proxy);
        dial.add(to.name() + "=http://127.0.0.1:" + proxy.port());
      }
      cluster.setNodeFlags(from.name(), List.of("--peer-dial-urls", String.join(",", dial)));
    }
    return network;
  }

  public LinkProxy proxy(Partitions.Link link) {
    LinkProxy proxy = proxies.get(link);
    if (proxy == null) {
      throw new IllegalArgumentException("no link " + link);
    }
    return proxy;
  }

  @Override
  public void cut(Partitions.Link link) {
    proxy(link).cut();
  }

  @Override
  public void slow(Partitions.Link link, Duration delay, double dropProbability) {
    LinkProxy proxy = proxy(link);
    proxy.delay(delay);
    proxy.dropConnections(dropProbability);
  }

  @Override
  public void healAll() {
    for (LinkProxy proxy : proxies.values()) {
      proxy.delay(Duration.ZERO);
      proxy.dropConnections(0);
      proxy.heal();
    }
  }

  @Override
  public void close() {
    proxies.values().forEach(LinkProxy::close);
  }
}
