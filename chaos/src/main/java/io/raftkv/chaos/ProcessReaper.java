package io.raftkv.chaos;

/**
 * Makes sure no server of a run outlives it: on close, and from a shutdown hook if the JVM is
 * stopped meanwhile (^C), every member still running is killed by its PID. Closing also resumes
 * nothing and restarts nothing: the run is over.
 */
final class ProcessReaper implements AutoCloseable {
  private final LocalCluster cluster;
  private final Thread hook;

  ProcessReaper(LocalCluster cluster) {
    this.cluster = cluster;
    this.hook = new Thread(this::killAll, "chaos-reaper");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  private void killAll() {
    for (ServerNode node : cluster.nodes()) {
      try {
        node.kill();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (IllegalStateException e) {
        // It outlived kill -9 by 10 s (a zombie being reaped): nothing more can be sent to it.
      }
    }
  }

  @Override
  public void close() {
    killAll();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // The JVM is shutting down already and the hook is running or ran.
    }
  }
}
