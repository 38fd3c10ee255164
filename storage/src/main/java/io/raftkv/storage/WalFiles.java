package io.raftkv.storage;

import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WAL's file operations where a failure is final: an fsync, a write or a directory change that
 * fails leaves what reached the disk unknown, so the first one reports a {@link FatalDiskError} to
 * the node's handler and every later call throws it again (STYLE.md §6).
 */
final class WalFiles {
  private static final Logger LOG = LoggerFactory.getLogger(WalFiles.class);

  private final FileSystem fs;
  private final Path dir;
  private final FatalDiskHandler fatalHandler;
  private volatile FatalDiskError failure;

  WalFiles(FileSystem fs, Path dir, FatalDiskHandler fatalHandler) {
    this.fs = fs;
    this.dir = dir;
    this.fatalHandler = fatalHandler;
  }

  void deleteQuietly(Path path) {
    try {
      if (fs.exists(path)) {
        fs.delete(path);
      }
    } catch (IOException e) {
      // Recovery deletes a new segment whose header never became durable; nothing is lost.
      LOG.warn("wal {}: could not delete unused segment {}: {}", dir, path, e.getMessage());
    }
  }

  void sync(FileSystem.WritableFile file, String what) {
    try {
      file.sync();
    } catch (IOException e) {
      throw fatal("fsync of " + what + " in " + dir, e);
    }
  }

  void syncDirectory() {
    try {
      fs.syncDirectory(dir);
    } catch (IOException e) {
      throw fatal("fsync of directory " + dir, e);
    }
  }

  void checkUsable() {
    if (failure != null) {
      throw failure;
    }
  }

  FatalDiskError fatal(String what, IOException cause) {
    failure =
        new FatalDiskError(
            "wal: "
                + what
                + " failed: "
                + cause.getMessage()
                + "; stopping, since what reached the disk is unknown",
            cause);
    fatalHandler.onFatal(failure);
    return failure;
  }
}
