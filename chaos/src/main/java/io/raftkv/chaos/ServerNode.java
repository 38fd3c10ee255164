package io.raftkv.chaos;

import io.etcd.jetcd.api.MaintenanceGrpc;
import io.etcd.jetcd.api.StatusRequest;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One {@code raftkv server} (or etcd) process on loopback ports: started detached in a session of
 * its own (so it outlives the command that started it and a closed terminal), its output appended
 * to a log file, known afterwards by its PID alone. Every signal goes to that PID, and only while
 * the process there still runs with this node's data dir (a PID the kernel reused for something
 * else is stale, never signalled).
 */
public final class ServerNode implements AutoCloseable {
  /** {@code setsid} puts the server in a new session: no SIGHUP or ^C from our terminal. */
  private static final Path SETSID = Path.of("/usr/bin/setsid");

  private final String name;
  private final int clientPort;
  private final int peerPort;
  private final Path dataDir;
  private final Path logFile;
  private volatile long pid;
  private volatile Process child;
  private ManagedChannel channel;

  /**
   * @param pid the process last started for this node, 0 for none
   */
  public ServerNode(
      String name, int clientPort, int peerPort, Path dataDir, Path logFile, long pid) {
    this.name = name;
    this.clientPort = clientPort;
    this.peerPort = peerPort;
    this.dataDir = dataDir.toAbsolutePath();
    this.logFile = logFile.toAbsolutePath();
    this.pid = pid;
  }

  public String name() {
    return name;
  }

  public int clientPort() {
    return clientPort;
  }

  public int peerPort() {
    return peerPort;
  }

  public Path dataDir() {
    return dataDir;
  }

  public Path logFile() {
    return logFile;
  }

  public String clientUrl() {
    return "http://127.0.0.1:" + clientPort;
  }

  public String peerUrl() {
    return "http://127.0.0.1:" + peerPort;
  }

  /**
   * The PID last started, 0 for none or after this node saw it exit; it may have exited since
   * ({@link #alive}).
   */
  public long pid() {
    return pid;
  }

  /**
   * Starts the server with etcd's flags for this node's ports and dirs, then {@code extraFlags}.
   * Returns at once; {@link #status} tells when it answers.
   */
  public void start(JavaCommand command, String initialCluster, List<String> extraFlags)
      throws IOException {
    if (alive()) {
      throw new IllegalStateException(name + " is running already (pid " + pid + ")");
    }
    List<String> line = new ArrayList<>();
    if (Files.isExecutable(SETSID)) {
      line.add(SETSID.toString());
    }
    line.addAll(command.commandLine(serverFlags(initialCluster, extraFlags)));
    Files.createDirectories(logFile.getParent());
    Process process =
        new ProcessBuilder(line)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
            .start();
    child = process;
    pid = process.pid();
  }

  private List<String> serverFlags(String initialCluster, List<String> extraFlags) {
    List<String> flags =
        new ArrayList<>(
            List.of(
                "--name", name,
                "--data-dir", dataDir.toString(),
                "--listen-client-urls", clientUrl(),
                "--advertise-client-urls", clientUrl(),
                "--listen-peer-urls", peerUrl(),
                "--initial-advertise-peer-urls", peerUrl(),
                "--initial-cluster", initialCluster));
    flags.addAll(extraFlags);
    return flags;
  }

  /**
   * The live process of this node: its PID runs, and runs with this node's data dir. A child of
   * this JVM is known without looking (just after the fork its command line is still ours).
   */
  public Optional<ProcessHandle> process() {
    Process process = child;
    if (process != null && process.pid() == pid) {
      return process.isAlive() ? Optional.of(process.toHandle()) : Optional.empty();
    }
    if (pid == 0) {
      return Optional.empty();
    }
    return ProcessHandle.of(pid)
        .filter(ProcessHandle::isAlive)
        .filter(
            handle -> commandLine(handle).map(c -> c.contains(dataDir.toString())).orElse(true));
  }

  /**
   * The whole command line: {@code ProcessHandle.Info} cuts it at 4096 characters on Linux, before
   * the data dir when the class path is long, so /proc is read where there is one.
   */
  private static Optional<String> commandLine(ProcessHandle handle) {
    Path proc = Path.of("/proc", Long.toString(handle.pid()), "cmdline");
    try {
      if (Files.isReadable(proc)) {
        return Optional.of(Files.readString(proc, StandardCharsets.UTF_8).replace('\0', ' '));
      }
    } catch (IOException e) {
      return Optional.empty(); // it exited meanwhile
    }
    return handle.info().commandLine();
  }

  public boolean alive() {
    return process().isPresent();
  }

  /** The exit status when this JVM started the process and it has exited. */
  public Optional<Integer> exitStatus() {
    Process process = child;
    return process != null && !process.isAlive()
        ? Optional.of(process.exitValue())
        : Optional.empty();
  }

  /** kill -9, and waits until the process is gone. */
  public void kill() throws InterruptedException {
    Optional<ProcessHandle> process = process();
    if (process.isPresent()) {
      process.get().destroyForcibly();
      if (!awaitExit(process.get(), Duration.ofSeconds(10))) {
        throw new IllegalStateException(name + " (pid " + pid + ") outlived kill -9 by 10 s");
      }
    }
    pid = 0;
  }

  /**
   * SIGTERM (a clean stop: a leader hands over first), then kill -9 once {@code grace} passed.
   * Returns false when it took the kill.
   */
  public boolean terminate(Duration grace) throws InterruptedException {
    Optional<ProcessHandle> process = process();
    if (process.isEmpty()) {
      return true;
    }
    resume(); // a stopped process cannot act on SIGTERM
    process.get().destroy();
    if (awaitExit(process.get(), grace)) {
      pid = 0;
      return true;
    }
    kill();
    return false;
  }

  /** SIGSTOP: the process freezes, sockets open, as in a long GC pause. */
  public void pause() throws InterruptedException {
    signal("STOP");
  }

  /** SIGCONT after {@link #pause}. */
  public void resume() throws InterruptedException {
    signal("CONT");
  }

  private void signal(String signal) throws InterruptedException {
    Optional<ProcessHandle> process = process();
    if (process.isEmpty()) {
      return;
    }
    try {
      Process kill =
          new ProcessBuilder("kill", "-" + signal, Long.toString(process.get().pid()))
              .redirectErrorStream(true)
              .start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + signal + " " + pid + " failed");
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run kill -" + signal + " " + pid, e);
    }
  }

  private static boolean awaitExit(ProcessHandle process, Duration timeout)
      throws InterruptedException {
    try {
      process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      throw new IllegalStateException("waiting for pid " + process.pid(), e);
    }
  }

  /** Maintenance.Status, or empty while the node does not answer within {@code timeout}. */
  public synchronized Optional<NodeStatus> status(Duration timeout) {
    if (channel == null) {
      channel = NettyChannelBuilder.forAddress("127.0.0.1", clientPort).usePlaintext().build();
    }
    try {
      return Optional.of(
          NodeStatus.of(
              MaintenanceGrpc.newBlockingStub(channel)
                  .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                  .status(StatusRequest.getDefaultInstance())));
    } catch (StatusRuntimeException e) {
      return Optional.empty();
    }
  }

  /** The last {@code lineCount} lines of the log, for an error message. */
  public String logTail(int lineCount) {
    try {
      if (!Files.exists(logFile)) {
        return "(no log at " + logFile + ")";
      }
      List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - lineCount), lines.size()));
    } catch (IOException e) {
      return "(log " + logFile + " unreadable: " + e.getMessage() + ")";
    }
  }

  /** Closes the status channel; the process goes on. */
  @Override
  public synchronized void close() {
    if (channel != null) {
      channel.shutdownNow();
      channel = null;
    }
  }
}
