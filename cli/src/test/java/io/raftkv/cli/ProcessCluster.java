package io.raftkv.cli;

import io.etcd.jetcd.api.StatusResponse;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/** Three (or more) {@code raftkv server} processes for client tests, and waits on their state. */
final class ProcessCluster implements AutoCloseable {
  /** JVM start-up on a loaded 2-core machine takes seconds. */
  static final Duration STARTUP = Duration.ofSeconds(60);

  final List<ServerProcess> nodes = new ArrayList<>();
  final String initialCluster;

  ProcessCluster(Path root, int size) throws IOException {
    for (int i = 1; i <= size; i++) {
      nodes.add(new ServerProcess("n" + i, root));
    }
    initialCluster = ServerProcess.initialCluster(nodes);
    for (ServerProcess node : nodes) {
      node.start(initialCluster);
    }
  }

  List<String> endpoints() {
    return nodes.stream().map(ServerProcess::clientUrl).toList();
  }

  /** The one member every running member names as leader. */
  ServerProcess awaitLeader(Duration timeout) throws InterruptedException {
    return await(
        timeout,
        "one leader",
        () -> {
          List<ServerProcess> running = nodes.stream().filter(ServerProcess::alive).toList();
          List<Optional<StatusResponse>> statuses =
              running.stream().map(ServerProcess::status).toList();
          if (statuses.stream().anyMatch(Optional::isEmpty)) {
            return Optional.empty();
          }
          long leaderId = statuses.get(0).get().getLeader();
          if (leaderId == 0 || statuses.stream().anyMatch(s -> s.get().getLeader() != leaderId)) {
            return Optional.empty();
          }
          for (int i = 0; i < running.size(); i++) {
            if (statuses.get(i).get().getHeader().getMemberId() == leaderId) {
              return Optional.of(running.get(i));
            }
          }
          return Optional.empty();
        });
  }

  <T> T await(Duration timeout, String what, Supplier<Optional<T>> probe)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      Optional<T> result = probe.get();
      if (result.isPresent()) {
        return result.get();
      }
      Thread.sleep(50);
    }
    throw new AssertionError("timed out after " + timeout + " waiting for " + what + logs());
  }

  String logs() {
    StringBuilder logs = new StringBuilder();
    for (ServerProcess node : nodes) {
      logs.append("\n==== ").append(node.name).append(" (pid ");
      logs.append(node.alive() ? node.pid() : -1).append(")\n").append(tail(node.log()));
    }
    return logs.toString();
  }

  private static String tail(String log) {
    return log.length() <= 4000 ? log : "..." + log.substring(log.length() - 4000);
  }

  @Override
  public void close() {
    for (ServerProcess node : nodes) {
      node.close();
    }
  }
}
