package io.raftkv.server;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process around a {@link RaftkvNode}: validates the configuration, starts the node, and on
 * SIGTERM (or SIGINT) stops it in order and exits 0. Exit statuses: 2 for a bad flag or data dir
 * (nothing written), 1 when the node cannot start (a port in use, unreadable storage), 74 after a
 * failed fsync, 70 after a bug on the event loop.
 */
public final class RaftkvServer {
  private static final Logger LOG = LoggerFactory.getLogger(RaftkvServer.class);

  /** How long in-flight client calls get to finish at shutdown. */
  private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(5);

  private RaftkvServer() {}

  /** Runs until the process is told to stop; returns only on a startup failure. */
  public static int run(ServerOptions options, PrintWriter err) {
    ServerConfig config;
    RaftkvNode node;
    try {
      config = options.toConfig();
      node = RaftkvNode.start(config);
    } catch (ConfigException e) {
      err.println("raftkv server: " + e.getMessage());
      err.flush();
      return ConfigException.EXIT_CODE;
    } catch (IOException | RuntimeException e) {
      err.println("raftkv server: cannot start: " + e.getMessage());
      err.flush();
      LOG.debug("startup failure", e);
      return 1;
    }
    CountDownLatch forever = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            Thread.ofPlatform()
                .name("shutdown")
                .unstarted(
                    () -> {
                      try {
                        node.stop(SHUTDOWN_GRACE);
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      } catch (RuntimeException e) {
                        LOG.error("shutdown failed", e);
                        Runtime.getRuntime().halt(1);
                      }
                      // A stop on SIGTERM is a clean stop: exit 0, not the JVM's 143.
                      Runtime.getRuntime().halt(0);
                    }));
    try {
      forever.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }
}
