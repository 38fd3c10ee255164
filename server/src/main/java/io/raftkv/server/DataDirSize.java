package io.raftkv.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Bytes of the files under a directory: etcd's db size, for Status and the quota. */
final class DataDirSize {
  private DataDirSize() {}

  static long bytes(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(DataDirSize::sizeOf).sum();
    } catch (IOException | java.io.UncheckedIOException e) {
      // A file removed while walking (a compaction): the next measurement counts again.
      return 0;
    }
  }

  private static long sizeOf(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return 0;
    }
  }
}
