package io.raftkv.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * A client of a raftkv cluster, or of any etcd v3 cluster: the etcd API over gRPC, leader-aware,
 * with retries that never apply a write twice.
 *
 * <pre>{@code
 * try (RaftkvClient client = RaftkvClient.builder()
 *     .endpoints("127.0.0.1:2379", "127.0.0.1:22379", "127.0.0.1:32379")
 *     .callTimeout(Duration.ofSeconds(5))
 *     .build()) {
 *   client.kv().put("greeting", "hello").join();
 *   System.out.println(client.kv().get("greeting").join().getKvs(0).getValue().toStringUtf8());
 *   boolean exactlyOnce = client.kv().exactlyOnce().join(); // true on raftkv, false on etcd
 * }
 * }</pre>
 *
 * <p>Every call returns a {@link java.util.concurrent.CompletableFuture} that completes on the
 * client's own threads (virtual threads), never on gRPC's: a callback may block without stalling
 * the network. Every call ends within {@link ClientConfig#callTimeout()}, retries included. One
 * client per process is enough; it is thread-safe.
 */
public final class RaftkvClient implements AutoCloseable {
  private final Endpoints endpoints;
  private final ScheduledThreadPoolExecutor timer;
  private final ExecutorService callbacks;
  private final Calls calls;
  private final Kv kv;
  private final Watch watch;
  private final Lease lease;
  private final Cluster cluster;
  private final Maintenance maintenance;

  private RaftkvClient(ClientConfig config) {
    this.endpoints = new Endpoints(config.endpoints(), config.attemptTimeout());
    this.timer =
        new ScheduledThreadPoolExecutor(
            1, Thread.ofPlatform().daemon().name("raftkv-client-timer").factory());
    timer.setRemoveOnCancelPolicy(true);
    this.callbacks =
        Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("raftkv-client-", 0).factory());
    this.calls = new Calls(endpoints, config, timer, callbacks);
    this.kv = new Kv(calls, new SessionPool(calls, config.exactlyOnce()));
    this.watch = new Watch(calls);
    this.lease = new Lease(calls);
    this.cluster = new Cluster(calls);
    this.maintenance = new Maintenance(calls);
    var unused = endpoints.refresh();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Kv kv() {
    return kv;
  }

  public Watch watch() {
    return watch;
  }

  public Lease lease() {
    return lease;
  }

  public Cluster cluster() {
    return cluster;
  }

  public Maintenance maintenance() {
    return maintenance;
  }

  /** The endpoints the client knows (host:port): the ones given and the ones the cluster listed. */
  public List<String> endpoints() {
    return endpoints.all();
  }

  public ClientStats stats() {
    return calls.stats();
  }

  /** Stops every watch and keep-alive stream and closes the connections. */
  @Override
  public void close() {
    timer.shutdownNow();
    endpoints.close();
    callbacks.shutdown();
  }

  /** Settings; each has a default but the endpoints. */
  public static final class Builder {
    private final List<String> endpoints = new ArrayList<>();
    private Duration callTimeout = Duration.ofSeconds(5);
    private Duration attemptTimeout = Duration.ofSeconds(2);
    private Duration backoffFirst = Duration.ofMillis(25);
    private Duration backoffMax = Duration.ofSeconds(1);
    private ExactlyOnce exactlyOnce = ExactlyOnce.PREFERRED;
    private long jitterSeed = System.nanoTime();

    private Builder() {}

    /** host:port or http://host:port, of some members at least (the rest are learned). */
    public Builder endpoints(String... endpoints) {
      return endpoints(List.of(endpoints));
    }

    public Builder endpoints(List<String> endpoints) {
      this.endpoints.addAll(endpoints);
      return this;
    }

    /** The whole of one call, retries included; 5 s by default (etcdctl's). */
    public Builder callTimeout(Duration timeout) {
      this.callTimeout = timeout;
      return this;
    }

    /** One attempt; 2 s by default (two of raftkv's default election timeouts). */
    public Builder attemptTimeout(Duration timeout) {
      this.attemptTimeout = timeout;
      return this;
    }

    /**
     * The first retry waits up to {@code first}; later ones up to twice as long, up to {@code max}.
     */
    public Builder backoff(Duration first, Duration max) {
      this.backoffFirst = first;
      this.backoffMax = max;
      return this;
    }

    public Builder exactlyOnce(ExactlyOnce exactlyOnce) {
      this.exactlyOnce = exactlyOnce;
      return this;
    }

    /** The seed of the backoff jitter; by default a fresh one each run. */
    public Builder jitterSeed(long seed) {
      this.jitterSeed = seed;
      return this;
    }

    public ClientConfig config() {
      return new ClientConfig(
          endpoints,
          callTimeout,
          attemptTimeout,
          backoffFirst,
          backoffMax,
          exactlyOnce,
          jitterSeed);
    }

    /** Connects lazily: building never fails on an unreachable cluster; calls do, in time. */
    public RaftkvClient build() {
      ClientConfig config = config();
      config.endpoints().forEach(Endpoints::normalise);
      return new RaftkvClient(config);
    }
  }
}
