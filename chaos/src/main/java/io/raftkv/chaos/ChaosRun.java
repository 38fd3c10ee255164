package io.raftkv.chaos;

import io.raftkv.client.RaftkvClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One Jepsen-style run against real server processes (docs/chaos.md): a fresh cluster whose peer
 * links run through proxies, the register workload recorded as it runs, the nemesis striking
 * meanwhile; then heal, final reads, HashKV on every member, the checker, and one verdict line.
 * Everything lands in the output directory: node data and logs, history.jsonl, nemesis.log,
 * verdict.txt and command.txt. Green only when the history is linearizable and the members
 * converged.
 */
public final class ChaosRun {
  private static final Duration STARTUP = Duration.ofSeconds(90);
  private static final Duration RECOVERY = Duration.ofSeconds(60);
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);

  private final ChaosOptions options;
  private final JavaCommand server;
  private final ChaosTerminal terminal;

  /** How the run ended. */
  public record Result(boolean green, String verdictLine, HistoryLog.Counts counts, Path out) {
    public int exitCode() {
      return green ? 0 : 1;
    }
  }

  private ChaosRun(ChaosOptions options, JavaCommand server, PrintWriter out) {
    this.options = options;
    this.server = server;
    this.terminal = new ChaosTerminal(out);
  }

  /**
   * Runs it; every server process is gone when this returns or throws (and when the JVM is stopped
   * meanwhile, by a shutdown hook).
   */
  public static Result run(ChaosOptions options, JavaCommand server, PrintWriter out)
      throws Exception {
    return new ChaosRun(options, server, out).run();
  }

  @SuppressWarnings("try") // the reaper is held, not used, inside the block
  private Result run() throws Exception {
    Path out = options.out();
    requireFresh(out);
    terminal.say("raftkv chaos: " + options.describe());
    terminal.say("output in " + out);
    try (LocalCluster cluster =
            LocalCluster.openOrCreate(
                out, options.nodes(), server, options.serverFlags(), terminal::say);
        ProxyNetwork network = ProxyNetwork.install(cluster, options.seed());
        ProcessReaper reaper = new ProcessReaper(cluster);
        PrintWriter nemesisLog = terminal.tee(out.resolve("nemesis.log"))) {
      cluster.startAll();
      ServerNode leader = ClusterHealth.awaitLeader(cluster.nodes(), STARTUP);
      terminal.say("cluster started: " + describeLeader(leader) + " elected");
      Nemesis nemesis =
          new Nemesis(cluster, Optional.of(network), options.seed(), Clock.systemUTC(), nemesisLog);
      String endState;
      HistoryLog history = new HistoryLog(out.resolve("history.jsonl"));
      try (history;
          RaftkvClient client =
              RaftkvClient.builder()
                  .endpoints(cluster.nodes().stream().map(ServerNode::clientUrl).toList())
                  .callTimeout(Duration.ofSeconds(4))
                  .attemptTimeout(Duration.ofSeconds(1))
                  .jitterSeed(options.seed())
                  .build()) {
        runWorkloadUnderNemesis(client, history, nemesis);
        endState = heal(cluster, nemesis, client, history);
      }
      stop(cluster);
      return judge(history, endState, out);
    }
  }

  private void runWorkloadUnderNemesis(RaftkvClient client, HistoryLog history, Nemesis nemesis)
      throws Exception {
    RegisterWorkload workload =
        new RegisterWorkload(
            client,
            history,
            new RegisterWorkload.Settings(
                options.clients(),
                options.operations(),
                options.keys(),
                options.ratePerSecond(),
                options.seed(),
                Duration.ofSeconds(30)));
    NemesisSchedule schedule =
        new NemesisSchedule(
            nemesis, options.nemesis(), options.faultEvery(), options.seed(), terminal::say);
    terminal.say(
        String.format(
            "workload: %d clients read, write and compare-and-set %d keys; every operation is"
                + " recorded",
            options.clients(), options.keys()));
    AtomicReference<Exception> nemesisFailure = new AtomicReference<>();
    Thread faults =
        Thread.ofPlatform()
            .name("nemesis")
            .start(
                () -> {
                  try {
                    schedule.run();
                  } catch (Exception e) {
                    nemesisFailure.set(e);
                  }
                });
    CountDownLatch done = new CountDownLatch(1);
    Thread progress = Thread.ofVirtual().start(() -> reportProgress(workload, history, done));
    try {
      workload.run();
    } finally {
      done.countDown();
      schedule.finish();
      faults.join();
      progress.join();
    }
    if (nemesisFailure.get() != null) {
      throw new IllegalStateException("the nemesis failed", nemesisFailure.get());
    }
    HistoryLog.Counts counts = history.counts();
    terminal.say(
        String.format(
            "workload done: %d operations: %s; %d faults struck",
            counts.total(), counts.describe(), schedule.struck()));
  }

  private void reportProgress(RegisterWorkload workload, HistoryLog history, CountDownLatch done) {
    long lastTotal = 0;
    try {
      while (!done.await(PROGRESS_EVERY.toMillis(), TimeUnit.MILLISECONDS)) {
        HistoryLog.Counts counts = history.counts();
        terminal.say(
            String.format(
                "progress: %d/%d started, %.1f ops/s, ok=%d fail=%d info=%d",
                workload.started(),
                options.operations(),
                (counts.total() - lastTotal) / (double) PROGRESS_EVERY.toSeconds(),
                counts.ok(),
                counts.fail(),
                counts.info()));
        lastTotal = counts.total();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Heals every fault, reads every key, compares the members; returns the end-state line. */
  private String heal(
      LocalCluster cluster, Nemesis nemesis, RaftkvClient client, HistoryLog history)
      throws Exception {
    nemesis.healAll();
    ServerNode leader = ClusterHealth.awaitLeader(cluster.nodes(), RECOVERY);
    terminal.say("healed: every member up, links whole; " + describeLeader(leader) + " leads");
    String reads = Convergence.finalReads(client, history, RegisterWorkload.keys(options.keys()));
    terminal.say("final reads: " + reads);
    Convergence.Result converged = Convergence.hashes(client, cluster.nodes(), RECOVERY);
    terminal.say(converged.line());
    return converged.converged() ? "" : converged.line();
  }

  private void stop(LocalCluster cluster) throws InterruptedException {
    List<String> killed = cluster.stopAll(Duration.ofSeconds(10));
    terminal.say(
        "cluster stopped"
            + (killed.isEmpty() ? "" : " (" + killed + " needed kill -9 after 10 s)"));
  }

  private Result judge(HistoryLog history, String notConverged, Path out) throws IOException {
    terminal.say("checker: is the history linearizable?");
    ChaosVerdict.Checked checked = ChaosVerdict.check(history, out.resolve("report.html"));
    HistoryLog.Counts counts = history.counts();
    boolean green = checked.linearizable() && notConverged.isEmpty();
    String verdict =
        (green ? "PASS: " : "FAIL: ")
            + checked.line()
            + (notConverged.isEmpty() ? "; members converged" : "; " + notConverged)
            + String.format("; ok=%d fail=%d info=%d", counts.ok(), counts.fail(), counts.info());
    List<String> lines = new ArrayList<>();
    lines.add(verdict);
    lines.add("reproduce: " + options.reproduceCommand());
    write(out.resolve("verdict.txt"), lines);
    write(out.resolve("command.txt"), List.of(options.reproduceCommand()));
    terminal.say("wrote history.jsonl, nemesis.log, n*.log, verdict.txt, command.txt in " + out);
    terminal.verdict(verdict);
    terminal.verdict("reproduce: " + options.reproduceCommand() + " --out DIR");
    return new Result(green, verdict, counts, out);
  }

  private static String describeLeader(ServerNode leader) {
    return "leader "
        + leader.name()
        + leader
            .status(ClusterHealth.PROBE_TIMEOUT)
            .map(s -> " (term " + s.term() + ")")
            .orElse("");
  }

  private static void requireFresh(Path out) throws IOException {
    if (Files.isDirectory(out)) {
      try (var entries = Files.list(out)) {
        if (entries.findAny().isPresent()) {
          throw new IllegalArgumentException(
              "--out " + out + " is not empty: a chaos run starts a fresh cluster");
        }
      }
    }
    Files.createDirectories(out);
  }

  private static void write(Path file, List<String> lines) {
    try {
      Files.write(file, lines, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
