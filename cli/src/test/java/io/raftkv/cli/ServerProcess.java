package io.raftkv.cli;

import io.etcd.jetcd.api.MaintenanceGrpc;
import io.etcd.jetcd.api.StatusRequest;
import io.etcd.jetcd.api.StatusResponse;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One {@code raftkv server} as a real process (java -cp the test class path), on loopback ports
 * picked free, with its stderr in a file beside its data dir. Tests stop every one by PID.
 */
final class ServerProcess implements AutoCloseable {
  final String name;
  final int clientPort;
  final int peerPort;
  final Path dataDir;
  final Path logFile;
  private Process process;
  private ManagedChannel channel;

  ServerProcess(String name, Path root) throws IOException {
    this.name = name;
    this.clientPort = freePort();
    this.peerPort = freePort();
    this.dataDir = root.resolve(name);
    this.logFile = root.resolve(name + ".log");
  }

  String peerUrl() {
    return "http://127.0.0.1:" + peerPort;
  }

  String clientUrl() {
    return "http://127.0.0.1:" + clientPort;
  }

  /** Starts (or restarts) the process with {@code initialCluster} and short timeouts. */
  void start(String initialCluster, String... extraFlags) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    command.add("-cp");
    command.add(classPath());
    command.add(RaftkvCommand.class.getName());
    command.addAll(
        List.of(
            "server",
            "--name",
            name,
            "--data-dir",
            dataDir.toString(),
            "--listen-client-urls",
            clientUrl(),
            "--advertise-client-urls",
            clientUrl(),
            "--listen-peer-urls",
            peerUrl(),
            "--initial-advertise-peer-urls",
            peerUrl(),
            "--initial-cluster",
            initialCluster,
            "--heartbeat-interval",
            "50",
            "--election-timeout",
            "500"));
    command.addAll(List.of(extraFlags));
    process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
            .start();
  }

  long pid() {
    return process.pid();
  }

  boolean alive() {
    return process != null && process.isAlive();
  }

  /** kill -9. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /** SIGTERM; the exit status once it is gone. */
  int terminate() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(name + " did not stop within 30 s of SIGTERM");
    }
    return process.exitValue();
  }

  /** Maintenance.Status, or empty while the node does not answer. */
  Optional<StatusResponse> status() {
    if (channel == null) {
      channel = NettyChannelBuilder.forAddress("127.0.0.1", clientPort).usePlaintext().build();
    }
    try {
      return Optional.of(
          MaintenanceGrpc.newBlockingStub(channel)
              .withDeadlineAfter(1, TimeUnit.SECONDS)
              .status(StatusRequest.getDefaultInstance()));
    } catch (StatusRuntimeException e) {
      return Optional.empty();
    }
  }

  String log() {
    try {
      return Files.exists(logFile) ? Files.readString(logFile) : "(no log)";
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  /** kill -9 if still running; an interrupt ends the wait and is kept. */
  @Override
  public void close() {
    if (channel != null) {
      channel.shutdownNow();
      channel = null;
    }
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  static String initialCluster(List<ServerProcess> nodes) {
    return String.join(",", nodes.stream().map(n -> n.name + "=" + n.peerUrl()).toList());
  }

  static String classPath() {
    String surefire = System.getProperty("surefire.test.class.path");
    String path = surefire != null ? surefire : System.getProperty("java.class.path");
    return String.join(File.pathSeparator, path.split(File.pathSeparator));
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
