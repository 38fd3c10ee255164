package io.raftkv.server;

import io.raftkv.raft.NodeId;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * The flags of {@code raftkv server}: etcd's names and defaults, each also read from the
 * environment variable {@code RAFTKV_<NAME>} (picocli's {@code ${env:...}} default). A picocli
 * mixin, so that the command in the cli module and the flags' validation live apart.
 */
public final class ServerOptions {
  @Option(
      names = "--name",
      defaultValue = "${env:RAFTKV_NAME:-default}",
      description = "Human-readable name for this member (env RAFTKV_NAME; default: default).")
  String name;

  @Option(
      names = "--data-dir",
      defaultValue = "${env:RAFTKV_DATA_DIR}",
      description = "Path to the data directory (env RAFTKV_DATA_DIR; default: <name>.etcd).")
  String dataDir;

  @Option(
      names = "--listen-client-urls",
      defaultValue = "${env:RAFTKV_LISTEN_CLIENT_URLS:-http://localhost:2379}",
      description = "URLs to listen on for client traffic (env RAFTKV_LISTEN_CLIENT_URLS).")
  String listenClientUrls;

  @Option(
      names = "--advertise-client-urls",
      defaultValue = "${env:RAFTKV_ADVERTISE_CLIENT_URLS:-http://localhost:2379}",
      description =
          "This member's client URLs as told to the cluster and clients "
              + "(env RAFTKV_ADVERTISE_CLIENT_URLS).")
  String advertiseClientUrls;

  @Option(
      names = "--listen-peer-urls",
      defaultValue = "${env:RAFTKV_LISTEN_PEER_URLS:-http://localhost:2380}",
      description = "URLs to listen on for peer traffic (env RAFTKV_LISTEN_PEER_URLS).")
  String listenPeerUrls;

  @Option(
      names = "--initial-advertise-peer-urls",
      defaultValue = "${env:RAFTKV_INITIAL_ADVERTISE_PEER_URLS:-http://localhost:2380}",
      description =
          "This member's peer URLs as told to the rest of the cluster "
              + "(env RAFTKV_INITIAL_ADVERTISE_PEER_URLS).")
  String initialAdvertisePeerUrls;

  @Option(
      names = "--initial-cluster",
      defaultValue = "${env:RAFTKV_INITIAL_CLUSTER}",
      description =
          "Initial cluster configuration, name=peer-url,... "
              + "(env RAFTKV_INITIAL_CLUSTER; default: <name>=<initial-advertise-peer-urls>).")
  String initialCluster;

  @Option(
      names = "--initial-cluster-state",
      defaultValue = "${env:RAFTKV_INITIAL_CLUSTER_STATE:-new}",
      description = "new or existing (env RAFTKV_INITIAL_CLUSTER_STATE; default: new).")
  String initialClusterState;

  @Option(
      names = "--initial-cluster-token",
      defaultValue = "${env:RAFTKV_INITIAL_CLUSTER_TOKEN:-etcd-cluster}",
      description =
          "Initial cluster token, hashed into the member and cluster ids "
              + "(env RAFTKV_INITIAL_CLUSTER_TOKEN; default: etcd-cluster).")
  String initialClusterToken;

  @Option(
      names = "--heartbeat-interval",
      defaultValue = "${env:RAFTKV_HEARTBEAT_INTERVAL:-100}",
      description =
          "Time (in milliseconds) of a heartbeat interval "
              + "(env RAFTKV_HEARTBEAT_INTERVAL; default: 100).")
  long heartbeatIntervalMillis;

  @Option(
      names = "--election-timeout",
      defaultValue = "${env:RAFTKV_ELECTION_TIMEOUT:-1000}",
      description =
          "Time (in milliseconds) for an election to timeout "
              + "(env RAFTKV_ELECTION_TIMEOUT; default: 1000).")
  long electionTimeoutMillis;

  @Option(
      names = "--snapshot-count",
      defaultValue = "${env:RAFTKV_SNAPSHOT_COUNT:-100000}",
      description =
          "Number of committed transactions to trigger a snapshot "
              + "(env RAFTKV_SNAPSHOT_COUNT; default: 100000).")
  long snapshotCount;

  @Option(
      names = "--quota-backend-bytes",
      defaultValue = "${env:RAFTKV_QUOTA_BACKEND_BYTES:-0}",
      description =
          "Raise NOSPACE when the data on disk exceeds this; 0 means 2 GiB "
              + "(env RAFTKV_QUOTA_BACKEND_BYTES; default: 0).")
  long quotaBackendBytes;

  @Option(
      names = "--max-request-bytes",
      defaultValue = "${env:RAFTKV_MAX_REQUEST_BYTES:-1572864}",
      description =
          "Maximum client request size in bytes the server will accept "
              + "(env RAFTKV_MAX_REQUEST_BYTES; default: 1572864).")
  long maxRequestBytes;

  @Option(
      names = "--max-txn-ops",
      defaultValue = "${env:RAFTKV_MAX_TXN_OPS:-128}",
      description =
          "Maximum number of operations permitted in a transaction "
              + "(env RAFTKV_MAX_TXN_OPS; default: 128).")
  long maxTxnOps;

  @Option(
      names = "--auto-compaction-mode",
      defaultValue = "${env:RAFTKV_AUTO_COMPACTION_MODE:-periodic}",
      description = "periodic or revision (env RAFTKV_AUTO_COMPACTION_MODE; default: periodic).")
  String autoCompactionMode;

  @Option(
      names = "--auto-compaction-retention",
      defaultValue = "${env:RAFTKV_AUTO_COMPACTION_RETENTION:-0}",
      description =
          "History to keep: a duration (1h, 30m; a bare number is hours) for periodic, "
              + "revisions for revision; 0 disables (env RAFTKV_AUTO_COMPACTION_RETENTION).")
  String autoCompactionRetention;

  @Option(
      names = "--peer-dial-urls",
      defaultValue = "${env:RAFTKV_PEER_DIAL_URLS}",
      description =
          "raftkv only, for the chaos harness: name=url,... dials these peers at url (a proxy)"
              + " instead of their peer URL; ids and --initial-cluster are unchanged"
              + " (env RAFTKV_PEER_DIAL_URLS).")
  String peerDialUrls;

  @Option(
      names = "--experimental-watch-progress-notify-interval",
      defaultValue = "${env:RAFTKV_EXPERIMENTAL_WATCH_PROGRESS_NOTIFY_INTERVAL:-10m}",
      description =
          "How often a watch with progress_notify hears the current revision when idle "
              + "(env RAFTKV_EXPERIMENTAL_WATCH_PROGRESS_NOTIFY_INTERVAL; default: 10m).")
  String progressNotifyInterval;

  /** Checks every flag and their combinations; the first problem is a {@link ConfigException}. */
  public ServerConfig toConfig() {
    require(name != null && !name.isBlank(), "--name must not be empty");
    List<URI> listenClient = urls("--listen-client-urls", listenClientUrls);
    List<URI> advertiseClient = urls("--advertise-client-urls", advertiseClientUrls);
    List<URI> listenPeer = urls("--listen-peer-urls", listenPeerUrls);
    List<URI> advertisePeer = urls("--initial-advertise-peer-urls", initialAdvertisePeerUrls);
    requireListened(
        "--advertise-client-urls", advertiseClient, "--listen-client-urls", listenClient);
    requireListened(
        "--initial-advertise-peer-urls", advertisePeer, "--listen-peer-urls", listenPeer);
    Map<String, List<URI>> cluster = cluster(advertisePeer);
    require(
        cluster.containsKey(name),
        "--name %s is not in --initial-cluster (%s)",
        name,
        String.join(",", cluster.keySet()));
    require(
        Set.copyOf(cluster.get(name)).equals(Set.copyOf(advertisePeer)),
        "--initial-cluster has %s=%s but --initial-advertise-peer-urls is %s",
        name,
        cluster.get(name),
        advertisePeer);
    require(
        heartbeatIntervalMillis >= 1,
        "--heartbeat-interval must be >= 1 ms, got %d",
        heartbeatIntervalMillis);
    require(
        electionTimeoutMillis >= 5 * heartbeatIntervalMillis,
        "--election-timeout[%dms] should be at least as 5 times as --heartbeat-interval[%dms]",
        electionTimeoutMillis,
        heartbeatIntervalMillis);
    require(
        electionTimeoutMillis <= 50_000,
        "--election-timeout[%dms] is too long, and should be set less than 50 seconds",
        electionTimeoutMillis);
    requireLimitsInRange();
    ServerConfig.ClusterState state = clusterState();
    ServerConfig config =
        new ServerConfig(
            name,
            Path.of(dataDir == null || dataDir.isBlank() ? name + ".etcd" : dataDir),
            listenClient,
            advertiseClient,
            listenPeer,
            advertisePeer,
            cluster,
            state,
            initialClusterToken,
            Duration.ofMillis(heartbeatIntervalMillis),
            Duration.ofMillis(electionTimeoutMillis),
            snapshotCount,
            new ServerLimits(
                (int) maxRequestBytes,
                (int) maxTxnOps,
                quotaBackendBytes == 0
                    ? ServerLimits.QUOTA_BACKEND_BYTES_DEFAULT
                    : quotaBackendBytes),
            autoCompaction(),
            peerDialUrls(cluster),
            progressNotifyInterval());
    requireDistinctRaftIds(config.initialMembers());
    return config;
  }

  private void requireLimitsInRange() {
    require(snapshotCount >= 1, "--snapshot-count must be >= 1, got %d", snapshotCount);
    require(
        quotaBackendBytes >= 0, "--quota-backend-bytes must be >= 0, got %d", quotaBackendBytes);
    require(
        maxRequestBytes >= 1 && maxRequestBytes <= 64 << 20,
        "--max-request-bytes must be in [1, 67108864], got %d",
        maxRequestBytes);
    require(
        maxTxnOps >= 1 && maxTxnOps <= 1 << 20,
        "--max-txn-ops must be in [1, 1048576], got %d",
        maxTxnOps);
  }

  private Map<String, URI> peerDialUrls(Map<String, List<URI>> cluster) {
    Map<String, URI> dial = new LinkedHashMap<>();
    if (peerDialUrls == null || peerDialUrls.isBlank()) {
      return dial;
    }
    for (String entry : peerDialUrls.split(",", -1)) {
      int equals = entry.indexOf('=');
      require(
          equals > 0 && equals < entry.length() - 1,
          "--peer-dial-urls entry '%s' is not name=url",
          entry);
      String peer = entry.substring(0, equals).trim();
      require(cluster.containsKey(peer), "--peer-dial-urls names %s, not a member", peer);
      dial.put(peer, url("--peer-dial-urls", entry.substring(equals + 1).trim()));
    }
    return dial;
  }

  private ServerConfig.ClusterState clusterState() {
    return switch (initialClusterState) {
      case "new" -> ServerConfig.ClusterState.NEW;
      case "existing" -> ServerConfig.ClusterState.EXISTING;
      default ->
          throw new ConfigException(
              "--initial-cluster-state must be new or existing, got " + initialClusterState);
    };
  }

  private ServerConfig.AutoCompaction autoCompaction() {
    String retention = autoCompactionRetention.trim();
    return switch (autoCompactionMode) {
      case "periodic" ->
          new ServerConfig.AutoCompaction(
              ServerConfig.AutoCompaction.Mode.PERIODIC, retentionDuration(retention), 0);
      case "revision" -> {
        long revisions = parseLong("--auto-compaction-retention", retention);
        require(revisions >= 0, "--auto-compaction-retention must be >= 0, got %d", revisions);
        yield new ServerConfig.AutoCompaction(
            ServerConfig.AutoCompaction.Mode.REVISION, Duration.ZERO, revisions);
      }
      default ->
          throw new ConfigException(
              "--auto-compaction-mode must be periodic or revision, got " + autoCompactionMode);
    };
  }

  /** etcd: a bare number is hours, otherwise a Go duration such as 30m or 1h30m. */
  private static Duration retentionDuration(String text) {
    if (text.matches("\\d+")) {
      return Duration.ofHours(Long.parseLong(text));
    }
    return goDuration("--auto-compaction-retention", text)
        .orElseThrow(
            () ->
                new ConfigException(
                    "--auto-compaction-retention "
                        + text
                        + " is neither hours nor a duration such as 30m or 1h"));
  }

  /** A Go duration of whole units (1h30m, 10m0s, 500ms; "0" alone is zero), or empty. */
  private static java.util.Optional<Duration> goDuration(String flag, String text) {
    if (text.equals("0")) {
      return java.util.Optional.of(Duration.ZERO);
    }
    java.util.regex.Matcher part =
        java.util.regex.Pattern.compile("(\\d+)(ms|h|m|s)").matcher(text);
    Duration total = Duration.ZERO;
    int end = 0;
    while (part.find() && part.start() == end) {
      long amount = parseLong(flag, part.group(1));
      total =
          total.plus(
              switch (part.group(2)) {
                case "h" -> Duration.ofHours(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "s" -> Duration.ofSeconds(amount);
                default -> Duration.ofMillis(amount);
              });
      end = part.end();
    }
    return end == text.length() && end > 0
        ? java.util.Optional.of(total)
        : java.util.Optional.empty();
  }

  /** etcd 3.5's flag; 0 means its default, 10 minutes. */
  private Duration progressNotifyInterval() {
    String text = progressNotifyInterval.trim();
    Duration interval =
        goDuration("--experimental-watch-progress-notify-interval", text)
            .orElseThrow(
                () ->
                    new ConfigException(
                        "--experimental-watch-progress-notify-interval "
                            + text
                            + " is not a duration such as 10m or 500ms"));
    return interval.isZero() ? ServerConfig.PROGRESS_NOTIFY_INTERVAL_DEFAULT : interval;
  }

  private Map<String, List<URI>> cluster(List<URI> advertisePeer) {
    if (initialCluster == null || initialCluster.isBlank()) {
      return Map.of(name, advertisePeer);
    }
    Map<String, List<URI>> cluster = new LinkedHashMap<>();
    for (String member : initialCluster.split(",", -1)) {
      int equals = member.indexOf('=');
      require(
          equals > 0 && equals < member.length() - 1,
          "--initial-cluster entry '%s' is not name=peer-url",
          member);
      String memberName = member.substring(0, equals).trim();
      URI url = url("--initial-cluster", member.substring(equals + 1).trim());
      cluster.computeIfAbsent(memberName, n -> new ArrayList<>()).add(url);
    }
    Map<URI, String> owners = new HashMap<>();
    cluster.forEach(
        (memberName, peerUrls) ->
            peerUrls.forEach(
                u -> {
                  String other = owners.put(u, memberName);
                  require(
                      other == null || other.equals(memberName),
                      "--initial-cluster gives %s to both %s and %s",
                      u,
                      other,
                      memberName);
                }));
    return cluster;
  }

  private static void requireDistinctRaftIds(List<Member> members) {
    Map<NodeId, String> seen = new HashMap<>();
    for (Member member : members) {
      String other = seen.put(member.raftId(), member.name());
      require(
          other == null,
          "members %s and %s hash to the same raft id; choose another --initial-cluster-token",
          other,
          member.name());
    }
  }

  /** Each advertised URL must be served by a listener on its port (any host, or the same host). */
  private static void requireListened(
      String advertiseFlag, List<URI> advertised, String listenFlag, List<URI> listened) {
    for (URI url : advertised) {
      boolean served =
          listened.stream()
              .anyMatch(
                  l ->
                      l.getPort() == url.getPort()
                          && (isWildcard(l.getHost()) || sameHost(l.getHost(), url.getHost())));
      require(
          served, "%s %s is not listened on by %s %s", advertiseFlag, url, listenFlag, listened);
    }
  }

  private static boolean isWildcard(String host) {
    return host.equals("0.0.0.0") || host.equals("[::]") || host.equals("::");
  }

  private static boolean sameHost(String a, String b) {
    return a.equalsIgnoreCase(b) || (isLoopback(a) && isLoopback(b));
  }

  private static boolean isLoopback(String host) {
    return host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]");
  }

  private static List<URI> urls(String flag, String text) {
    require(text != null && !text.isBlank(), "%s must not be empty", flag);
    List<URI> urls = new ArrayList<>();
    for (String part : text.split(",", -1)) {
      urls.add(url(flag, part.trim()));
    }
    return urls;
  }

  private static URI url(String flag, String text) {
    URI url;
    try {
      url = new URI(text);
    } catch (URISyntaxException e) {
      throw new ConfigException(flag + ": '" + text + "' is not a URL: " + e.getReason());
    }
    require(
        "http".equals(url.getScheme()),
        "%s: %s: only http:// URLs are supported (TLS is not implemented yet)",
        flag,
        text);
    require(
        url.getHost() != null && url.getPort() > 0, "%s: %s needs a host and a port", flag, text);
    require(
        url.getPath() == null || url.getPath().isEmpty() || url.getPath().equals("/"),
        "%s: %s must not have a path",
        flag,
        text);
    return URI.create("http://" + url.getHost() + ":" + url.getPort());
  }

  private static long parseLong(String flag, String text) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new ConfigException(flag + " must be a number, got " + text);
    }
  }

  private static void require(boolean condition, String format, Object... args) {
    if (!condition) {
      throw new ConfigException(String.format(format, args));
    }
  }
}
