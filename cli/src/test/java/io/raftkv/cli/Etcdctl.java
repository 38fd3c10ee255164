package io.raftkv.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** The real etcdctl (3.4) running in the background, its output in a file; killed on close. */
final class Etcdctl implements AutoCloseable {
  static final Path ETCDCTL = Path.of("/usr/bin/etcdctl");

  private final Process process;
  private final Path output;

  private Etcdctl(Process process, Path output) {
    this.process = process;
    this.output = output;
  }

  /** {@code etcdctl watch key} against {@code endpoint}, or null when etcdctl is not installed. */
  static Etcdctl watch(Path dir, String endpoint, String key) throws IOException {
    if (!Files.isExecutable(ETCDCTL)) {
      return null;
    }
    Path output = Files.createTempFile(dir, "etcdctl-watch", ".out");
    Process process =
        new ProcessBuilder(ETCDCTL.toString(), "--endpoints=" + endpoint, "watch", key)
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    return new Etcdctl(process, output);
  }

  String output() {
    try {
      return Files.readString(output);
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  boolean awaitExit(Duration timeout) throws InterruptedException {
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
