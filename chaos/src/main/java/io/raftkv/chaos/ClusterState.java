package io.raftkv.chaos;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * The file that lets later commands find a local cluster: its members, their ports and PIDs, and
 * the flags every server gets. A Java properties file, {@code DIR/cluster.properties}, replaced
 * atomically (temp file, rename) so a crash never leaves half of it.
 *
 * @param serverFlags flags after etcd's own, given to every server on every start
 */
record ClusterState(List<Member> members, List<String> serverFlags) {
  static final String FILE_NAME = "cluster.properties";

  /** One member: its name, its two loopback ports and the PID last started (0: none). */
  record Member(String name, int clientPort, int peerPort, long pid) {}

  ClusterState {
    members = List.copyOf(members);
    serverFlags = List.copyOf(serverFlags);
  }

  static Optional<ClusterState> read(Path dir) {
    Path file = dir.resolve(FILE_NAME);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(reader);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    try {
      List<Member> members = new ArrayList<>();
      for (String name : properties.getProperty("members", "").split(",", -1)) {
        members.add(
            new Member(
                name,
                Integer.parseInt(required(properties, name + ".client-port", file)),
                Integer.parseInt(required(properties, name + ".peer-port", file)),
                Long.parseLong(properties.getProperty(name + ".pid", "0"))));
      }
      List<String> flags = new ArrayList<>();
      int flagCount = Integer.parseInt(properties.getProperty("server-flags", "0"));
      for (int i = 0; i < flagCount; i++) {
        flags.add(required(properties, "server-flag." + i, file));
      }
      return Optional.of(new ClusterState(members, flags));
    } catch (NumberFormatException e) {
      throw new ClusterException(file + " is damaged (" + e.getMessage() + "); fix or remove it");
    }
  }

  private static String required(Properties properties, String key, Path file) {
    String value = properties.getProperty(key);
    if (value == null) {
      throw new ClusterException(file + " is damaged: no " + key + "; fix or remove it");
    }
    return value;
  }

  void write(Path dir) {
    Properties properties = new Properties();
    properties.setProperty(
        "members", String.join(",", members.stream().map(Member::name).toList()));
    for (Member member : members) {
      properties.setProperty(member.name() + ".client-port", Integer.toString(member.clientPort()));
      properties.setProperty(member.name() + ".peer-port", Integer.toString(member.peerPort()));
      properties.setProperty(member.name() + ".pid", Long.toString(member.pid()));
    }
    properties.setProperty("server-flags", Integer.toString(serverFlags.size()));
    for (int i = 0; i < serverFlags.size(); i++) {
      properties.setProperty("server-flag." + i, serverFlags.get(i));
    }
    Path file = dir.resolve(FILE_NAME);
    Path temp = dir.resolve(FILE_NAME + ".tmp");
    try {
      try (Writer writer = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
        properties.store(writer, "raftkv cluster: members, ports and pids (raftkv cluster --help)");
      }
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
