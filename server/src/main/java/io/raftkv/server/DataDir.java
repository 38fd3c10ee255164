package io.raftkv.server;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * A member's data dir: {@code member/wal} and {@code member/snap} (storage's) and {@code
 * member/identity}, which records the cluster and member this data belongs to and the members the
 * cluster started with. A restart takes the members from there (as etcd ignores {@code
 * --initial-cluster} once it has data); a data dir of another cluster or member refuses to start.
 */
public final class DataDir {
  private static final String IDENTITY = "identity";
  private static final int FORMAT = 1;

  /** Who this data belongs to. */
  public record Identity(
      long clusterId, long memberId, String name, String clusterToken, List<Member> members) {}

  private DataDir() {}

  public static Path memberDir(Path dataDir) {
    return dataDir.resolve("member");
  }

  /**
   * Reads the identity of {@code config}'s data dir and checks it against the flags; writes
   * nothing. Empty when the data dir holds no member yet.
   */
  public static java.util.Optional<Identity> check(ServerConfig config) {
    Path file = memberDir(config.dataDir()).resolve(IDENTITY);
    if (!Files.exists(file)) {
      if (Files.isDirectory(memberDir(config.dataDir()).resolve("wal"))) {
        throw new ConfigException(
            "data dir " + config.dataDir() + " has a WAL but no member/identity: not raftkv's");
      }
      if (config.clusterState() == ServerConfig.ClusterState.EXISTING) {
        throw new ConfigException(
            "--initial-cluster-state existing needs a data dir of that cluster (adding members "
                + "is not supported yet); data dir "
                + config.dataDir()
                + " is empty");
      }
      return java.util.Optional.empty();
    }
    Identity identity = read(file);
    if (!identity.name().equals(config.name())) {
      throw new ConfigException(
          "data dir "
              + config.dataDir()
              + " belongs to member "
              + identity.name()
              + ", not --name "
              + config.name());
    }
    if (identity.clusterId() != config.clusterId()) {
      throw new ConfigException(
          "data dir "
              + config.dataDir()
              + " belongs to cluster "
              + MemberIds.hex(identity.clusterId())
              + " (token "
              + identity.clusterToken()
              + "), but the flags describe cluster "
              + MemberIds.hex(config.clusterId())
              + " (--initial-cluster, --initial-cluster-token)");
    }
    return java.util.Optional.of(identity);
  }

  /** Records a new member's identity durably (temp file, fsync, rename, fsync the directory). */
  public static Identity create(ServerConfig config) {
    Identity identity =
        new Identity(
            config.clusterId(),
            config.memberId(),
            config.name(),
            config.clusterToken(),
            config.initialMembers());
    Properties p = new Properties();
    p.setProperty("format", Integer.toString(FORMAT));
    p.setProperty("cluster-id", MemberIds.hex(identity.clusterId()));
    p.setProperty("member-id", MemberIds.hex(identity.memberId()));
    p.setProperty("name", identity.name());
    p.setProperty("cluster-token", identity.clusterToken());
    p.setProperty("members", Integer.toString(identity.members().size()));
    for (int i = 0; i < identity.members().size(); i++) {
      Member m = identity.members().get(i);
      p.setProperty("member." + i + ".name", m.name());
      p.setProperty(
          "member." + i + ".peer-urls",
          String.join(",", m.peerUrls().stream().map(java.net.URI::toString).toList()));
    }
    Path dir = memberDir(config.dataDir());
    try {
      Files.createDirectories(dir);
      StringWriter text = new StringWriter();
      p.store(text, "raftkv member identity; do not edit");
      Path temp = dir.resolve(IDENTITY + ".tmp");
      Files.writeString(temp, text.toString(), StandardCharsets.UTF_8);
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        channel.force(true);
      }
      Files.move(temp, dir.resolve(IDENTITY), StandardCopyOption.ATOMIC_MOVE);
      try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
        channel.force(true);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("data dir " + dir + ": writing the identity failed", e);
    }
    return identity;
  }

  private static Identity read(Path file) {
    Properties p = new Properties();
    try (Reader reader = new StringReader(Files.readString(file, StandardCharsets.UTF_8))) {
      p.load(reader);
      if (!Integer.toString(FORMAT).equals(p.getProperty("format"))) {
        throw new ConfigException(file + ": unknown identity format " + p.getProperty("format"));
      }
      String token = p.getProperty("cluster-token");
      int count = Integer.parseInt(p.getProperty("members"));
      List<Member> members = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        List<java.net.URI> urls = new ArrayList<>();
        for (String url : p.getProperty("member." + i + ".peer-urls").split(",", -1)) {
          urls.add(java.net.URI.create(url));
        }
        members.add(
            new Member(
                MemberIds.memberId(urls, token),
                p.getProperty("member." + i + ".name"),
                urls,
                List.of()));
      }
      return new Identity(
          Long.parseUnsignedLong(p.getProperty("cluster-id"), 16),
          Long.parseUnsignedLong(p.getProperty("member-id"), 16),
          p.getProperty("name"),
          token,
          members);
    } catch (IOException | RuntimeException e) {
      if (e instanceof ConfigException c) {
        throw c;
      }
      throw new ConfigException(file + " is unreadable: " + e);
    }
  }
}
