package io.raftkv.server;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A node's validated configuration (from {@link ServerOptions}: flags and {@code RAFTKV_*}
 * environment variables). Built only through {@link ServerOptions#toConfig()}, which refuses bad
 * flags and combinations with a {@link ConfigException}.
 *
 * @param name this member's name
 * @param dataDir where the WAL, snapshots and the member's identity live
 * @param listenClientUrls where the etcd API listens
 * @param advertiseClientUrls what this member tells clients and peers
 * @param listenPeerUrls where the peer transport listens
 * @param advertisePeerUrls this member's peer URLs, as {@code --initial-cluster} names them
 * @param initialCluster every initial member's name and peer URLs, in flag order
 * @param clusterState {@code --initial-cluster-state}
 * @param clusterToken {@code --initial-cluster-token}, hashed into every member id
 * @param heartbeatInterval one Raft tick; the leader's heartbeat period
 * @param electionTimeout the base election timeout (a whole number of ticks)
 * @param snapshotCount applied entries between snapshots
 * @param limits request limits and the quota
 * @param autoCompaction {@code --auto-compaction-mode} and {@code --auto-compaction-retention}
 * @param peerDialUrls {@code --peer-dial-urls}: peers dialled somewhere else than their peer URL
 */
public record ServerConfig(
    String name,
    Path dataDir,
    List<URI> listenClientUrls,
    List<URI> advertiseClientUrls,
    List<URI> listenPeerUrls,
    List<URI> advertisePeerUrls,
    Map<String, List<URI>> initialCluster,
    ClusterState clusterState,
    String clusterToken,
    Duration heartbeatInterval,
    Duration electionTimeout,
    long snapshotCount,
    ServerLimits limits,
    AutoCompaction autoCompaction,
    Map<String, URI> peerDialUrls) {

  /** {@code --initial-cluster-state}. */
  public enum ClusterState {
    NEW,
    EXISTING
  }

  /**
   * etcd's auto-compaction: {@code PERIODIC} keeps {@code retention} of history, {@code REVISION}
   * keeps {@code retainRevisions} revisions; off when both are zero.
   */
  public record AutoCompaction(Mode mode, Duration retention, long retainRevisions) {
    public enum Mode {
      PERIODIC,
      REVISION
    }

    public boolean enabled() {
      return mode == Mode.PERIODIC ? !retention.isZero() : retainRevisions > 0;
    }
  }

  public ServerConfig {
    listenClientUrls = List.copyOf(listenClientUrls);
    advertiseClientUrls = List.copyOf(advertiseClientUrls);
    listenPeerUrls = List.copyOf(listenPeerUrls);
    advertisePeerUrls = List.copyOf(advertisePeerUrls);
    initialCluster =
        java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(initialCluster));
  }

  /** Election timeout in ticks of {@link #heartbeatInterval()}, as etcd's ElectionTicks. */
  public int electionTimeoutTicks() {
    return (int) (electionTimeout.toMillis() / heartbeatInterval.toMillis());
  }

  /** The members {@code --initial-cluster} and {@code --initial-cluster-token} describe. */
  public List<Member> initialMembers() {
    return initialCluster.entrySet().stream()
        .map(
            e ->
                new Member(
                    MemberIds.memberId(e.getValue(), clusterToken),
                    e.getKey(),
                    e.getValue(),
                    e.getKey().equals(name) ? advertiseClientUrls : List.of()))
        .sorted(java.util.Comparator.comparing(Member::id, Long::compareUnsigned))
        .toList();
  }

  public long memberId() {
    return MemberIds.memberId(advertisePeerUrls, clusterToken);
  }

  public long clusterId() {
    return MemberIds.clusterId(initialMembers().stream().map(Member::id).toList());
  }
}
