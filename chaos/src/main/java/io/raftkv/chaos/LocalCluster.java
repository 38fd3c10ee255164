package io.raftkv.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * A cluster of server processes on loopback, kept in a directory: {@code DIR/<name>/} is each
 * member's data dir, {@code DIR/<name>.log} its output, {@code DIR/cluster.properties} the members,
 * ports and PIDs ({@link ClusterState}). Any later process can open the directory and act on the
 * same members: {@code raftkv cluster} between commands, the chaos nemesis within one run. Nothing
 * here deletes data: a stopped cluster starts again from its data dirs on the same ports.
 */
public final class LocalCluster implements AutoCloseable {
  private final Path dir;
  private final JavaCommand command;
  private final List<ServerNode> nodes;
  private final List<String> serverFlags;
  private final Consumer<String> progress;
  private final Map<String, List<String>> nodeFlags = new ConcurrentHashMap<>();

  private LocalCluster(
      Path dir,
      JavaCommand command,
      List<ServerNode> nodes,
      List<String> serverFlags,
      Consumer<String> progress) {
    this.dir = dir;
    this.command = command;
    this.nodes = List.copyOf(nodes);
    this.serverFlags = List.copyOf(serverFlags);
    this.progress = progress;
  }

  /**
   * Opens the cluster recorded in {@code dir}, or records a new one of {@code size} members named
   * n1..nN on free loopback ports (nothing starts yet). {@code serverFlags} go to every server of a
   * new cluster; an existing one keeps its own. {@code progress} hears what is done, in words.
   */
  public static LocalCluster openOrCreate(
      Path dir,
      int size,
      JavaCommand command,
      List<String> serverFlags,
      Consumer<String> progress) {
    Optional<LocalCluster> existing = open(dir, command, progress);
    if (existing.isPresent()) {
      int recorded = existing.get().nodes.size();
      if (recorded != size) {
        throw new ClusterException(
            String.format(
                "%s holds a %d-member cluster, not %d; start it with -n %d, or remove %s for a"
                    + " new one",
                dir, recorded, size, recorded, dir));
      }
      return existing.get();
    }
    if (size < 1 || size > 9) {
      throw new ClusterException("a local cluster has 1 to 9 members, not " + size);
    }
    List<Integer> ports = freePorts(2 * size);
    List<ClusterState.Member> members = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      members.add(
          new ClusterState.Member("n" + (i + 1), ports.get(2 * i), ports.get(2 * i + 1), 0));
    }
    createDirectories(dir);
    ClusterState state = new ClusterState(members, serverFlags);
    state.write(dir);
    return of(dir, command, state, progress);
  }

  /** The cluster recorded in {@code dir}, if there is one. */
  public static Optional<LocalCluster> open(
      Path dir, JavaCommand command, Consumer<String> progress) {
    return ClusterState.read(dir).map(state -> of(dir, command, state, progress));
  }

  private static LocalCluster of(
      Path dir, JavaCommand command, ClusterState state, Consumer<String> progress) {
    List<ServerNode> nodes = new ArrayList<>();
    for (ClusterState.Member m : state.members()) {
      nodes.add(
          new ServerNode(
              m.name(),
              m.clientPort(),
              m.peerPort(),
              dir.resolve(m.name()),
              dir.resolve(m.name() + ".log"),
              m.pid()));
    }
    return new LocalCluster(dir, command, nodes, state.serverFlags(), progress);
  }

  /**
   * Holds {@code DIR/cluster.lock} until closed, so that two commands never start or stop the same
   * members at once; a second one is told who holds it instead of waiting.
   */
  public static AutoCloseable lock(Path dir) {
    createDirectories(dir);
    Path file = dir.resolve("cluster.lock");
    try {
      FileChannel channel =
          FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        channel.close();
        throw new ClusterException(
            "another raftkv cluster command is working on " + dir + " (it holds " + file + ")");
      }
      return channel;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot lock " + file, e);
    }
  }

  /**
   * Flags for one member's next starts, after the cluster's own; not recorded in the state file,
   * since they name things of this process (the chaos harness's proxy ports).
   */
  public void setNodeFlags(String name, List<String> flags) {
    nodeFlags.put(node(name).name(), List.copyOf(flags));
  }

  public Path dir() {
    return dir;
  }

  public List<ServerNode> nodes() {
    return nodes;
  }

  public ServerNode node(String name) {
    return nodes.stream()
        .filter(n -> n.name().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new ClusterException(
                    "no member " + name + " in " + dir + " (members: " + names() + ")"));
  }

  private String names() {
    return String.join(", ", nodes.stream().map(ServerNode::name).toList());
  }

  /** etcd's {@code --initial-cluster} for these members. */
  public String initialCluster() {
    return String.join(",", nodes.stream().map(n -> n.name() + "=" + n.peerUrl()).toList());
  }

  /** The client URLs, comma-separated, as {@code --endpoints} takes them. */
  public String endpoints() {
    return String.join(",", nodes.stream().map(ServerNode::clientUrl).toList());
  }

  /**
   * Starts every member that is not running; refuses when all of them are. A PID in the state file
   * that no longer runs this member is stale: said, and replaced.
   */
  public void startAll() throws IOException {
    List<ServerNode> running = nodes.stream().filter(ServerNode::alive).toList();
    if (running.size() == nodes.size()) {
      throw new ClusterException(
          "a cluster is running in "
              + dir
              + " already ("
              + String.join(", ", running.stream().map(n -> n.name() + " pid " + n.pid()).toList())
              + "); see raftkv cluster status, or stop it with raftkv cluster stop");
    }
    List<ServerNode> down = nodes.stream().filter(n -> !n.alive()).toList();
    // Every port first: a taken one refuses the whole start before any member runs.
    down.forEach(this::requireFreePorts);
    for (ServerNode node : nodes) {
      if (down.contains(node)) {
        start(node);
      } else {
        progress.accept(node.name() + " is running already (pid " + node.pid() + ")");
      }
    }
  }

  /** Starts {@code node} again from its data dir, on its ports; refuses while it runs. */
  public void restart(String name) throws IOException {
    ServerNode node = node(name);
    if (node.alive()) {
      throw new ClusterException(
          name + " is running (pid " + node.pid() + "); kill or stop it before a restart");
    }
    start(node);
  }

  private void start(ServerNode node) throws IOException {
    if (node.pid() != 0) {
      progress.accept(
          String.format(
              "%s: pid %d in %s no longer runs %s (stale: it died or the machine restarted)",
              node.name(), node.pid(), dir.resolve(ClusterState.FILE_NAME), node.name()));
    }
    requireFreePorts(node);
    boolean fresh = !Files.isDirectory(node.dataDir());
    List<String> flags = new ArrayList<>(serverFlags);
    flags.addAll(nodeFlags.getOrDefault(node.name(), List.of()));
    node.start(command, initialCluster(), flags);
    save();
    progress.accept(
        String.format(
            "%s started (pid %d)%s, log %s",
            node.name(),
            node.pid(),
            fresh ? "" : " from its data dir",
            dir.resolve(node.name() + ".log")));
  }

  private void requireFreePorts(ServerNode node) {
    requireFree(node, node.clientPort(), "client");
    requireFree(node, node.peerPort(), "peer");
  }

  private void requireFree(ServerNode node, int port, String which) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
    } catch (IOException e) {
      throw new ClusterException(
          String.format(
              "cannot start %s: its %s port 127.0.0.1:%d is taken by another process (%s); its"
                  + " data in %s is untouched: free the port and run raftkv cluster restart %s",
              node.name(), which, port, e.getMessage(), node.dataDir(), node.name()));
    }
  }

  /** kill -9 of one member; its data stays for a restart. */
  public void kill(String name) throws InterruptedException {
    ServerNode node = node(name);
    if (!node.alive()) {
      throw new ClusterException(name + " is not running");
    }
    long pid = node.pid();
    node.kill();
    save();
    progress.accept(name + " killed (kill -9 of pid " + pid + ")");
  }

  /**
   * SIGTERM to every running member at once, kill -9 to those still running after {@code grace}.
   * Returns the names that needed the kill.
   */
  public List<String> stopAll(Duration grace) throws InterruptedException {
    List<ServerNode> running = nodes.stream().filter(ServerNode::alive).toList();
    List<Thread> stoppers = new ArrayList<>();
    List<String> killed = java.util.Collections.synchronizedList(new ArrayList<>());
    for (ServerNode node : running) {
      stoppers.add(
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      if (!node.terminate(grace)) {
                        killed.add(node.name());
                      }
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  }));
    }
    for (Thread stopper : stoppers) {
      stopper.join();
    }
    save();
    return List.copyOf(killed);
  }

  /** Writes the members' current PIDs to the state file. */
  public void save() {
    List<ClusterState.Member> members = new ArrayList<>();
    for (ServerNode node : nodes) {
      members.add(
          new ClusterState.Member(node.name(), node.clientPort(), node.peerPort(), node.pid()));
    }
    new ClusterState(members, serverFlags).write(dir);
  }

  @Override
  public void close() {
    nodes.forEach(ServerNode::close);
  }

  /** {@code count} distinct free loopback ports, held open together so none repeats. */
  static List<Integer> freePorts(int count) {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
      }
      List<Integer> ports = sockets.stream().map(ServerSocket::getLocalPort).toList();
      for (ServerSocket socket : sockets) {
        socket.close();
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find free loopback ports", e);
    }
  }

  private static void createDirectories(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
  }
}
