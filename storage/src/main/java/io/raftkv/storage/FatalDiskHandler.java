package io.raftkv.storage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What storage does when a {@link FatalDiskError} happens, before it throws that error and refuses
 * every later call. Production halts the JVM ({@link #HALT}); tests and the simulator inject a
 * handler that records the error so they can observe the crash and reopen the disk.
 */
@FunctionalInterface
public interface FatalDiskHandler {
  /** Exit status of a node stopped by a failing disk. */
  int EXIT_CODE = 74;

  /** Logs at ERROR and halts, skipping shutdown hooks that might touch the disk again. */
  FatalDiskHandler HALT =
      error -> {
        Logger log = LoggerFactory.getLogger(FatalDiskHandler.class);
        log.error("disk failed, stopping the node: {}", error.getMessage(), error);
        Runtime.getRuntime().halt(EXIT_CODE);
      };

  void onFatal(FatalDiskError error);
}
