package io.raftkv.cli;

import io.raftkv.sim.Bug;
import io.raftkv.sim.SimOptions;
import io.raftkv.sim.SimResult;
import io.raftkv.sim.Simulation;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code raftkv sim}: runs seeds of the deterministic simulator (docs/sim.md) and prints one
 * key=value summary line; each violation prints its seed, what broke, its report and the command
 * that replays it.
 */
@Command(
    name = "sim",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the real replicas on a simulated network, disk and clocks under faults, then"
          + " judges each seed (Raft invariants, acknowledged writes, linearizability,"
          + " watch streams against the committed log, liveness after healing).",
      "Exit: 0 no violation, 1 a violation, 2 usage error."
    })
final class SimCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--seeds",
      paramLabel = "A..B",
      defaultValue = "1..100",
      description = "the seeds to run (default: ${DEFAULT-VALUE})")
  String seeds;

  @Option(names = "--seed", paramLabel = "S", description = "run (replay) one seed")
  Long seed;

  @Option(names = "--trace", description = "print every event of the run (with --seed)")
  boolean trace;

  @Option(names = "--nodes", defaultValue = "5", description = "cluster size (default: 5)")
  int nodes;

  @Option(
      names = "--ops",
      defaultValue = "1000",
      description = "client operations per seed (default: 1000)")
  int ops;

  @Option(names = "--clients", defaultValue = "5", description = "clients (default: 5)")
  int clients;

  @Option(
      names = "--watchers",
      defaultValue = "2",
      description =
          "watch clients per seed, each checked against the committed log "
              + "(default: ${DEFAULT-VALUE})")
  int watchers;

  @Option(names = "--no-faults", description = "run without the nemesis")
  boolean noFaults;

  @Option(
      names = "--bug",
      paramLabel = "NAME",
      description = "inject a deliberate bug (\"list\" lists them)")
  String bug;

  @Option(
      names = "--lease-reads",
      paramLabel = "MODE",
      defaultValue = "drawn",
      description = "lease reads: drawn per seed, on or off (default: ${DEFAULT-VALUE})")
  String leaseReads;

  @Option(
      names = "--faults",
      paramLabel = "LIST",
      description =
          "the faults seeds may draw, comma-separated (default: all): partitions,"
              + "crashes,pauses,drops,duplicates,fsync-failures,clock-drift,slow-disks,"
              + "full-disks,churn")
  String faults;

  @Option(
      names = "--always",
      paramLabel = "LIST",
      description =
          "faults on in every seed instead of drawn, comma-separated (each must be "
              + "allowed by --faults)")
  String always;

  @Option(
      names = "--clock-drift-ppm",
      paramLabel = "PPM",
      defaultValue = "50000",
      description =
          "the bound on any node's clock drift, parts per million, below 500000; "
              + "the core's lease margin is set to cover it (default: ${DEFAULT-VALUE})")
  long clockDriftPpm;

  @Option(
      names = "--jobs",
      paramLabel = "N",
      description =
          "seeds run at once on N threads; output is the same for any N "
              + "(default: the processors, ${DEFAULT-VALUE})")
  int jobs = Runtime.getRuntime().availableProcessors();

  @Option(
      names = "--hashes",
      description =
          "print each seed's trace hash (seed=S trace_hash=H): equal lines before and "
              + "after a refactoring mean the same runs")
  boolean hashes;

  @Option(names = "--until-violation", description = "stop at the first violating seed")
  boolean untilViolation;

  @Option(
      names = "--report",
      paramLabel = "DIR",
      defaultValue = "sim-reports",
      description = "where violations' histories and reports go (default: ${DEFAULT-VALUE})")
  Path reportDirectory;

  @Override
  public Integer call() {
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      // Storage reports every torn tail it repairs: expected here, thousands per run.
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "error");
    }
    PrintWriter out = spec.commandLine().getOut();
    if ("list".equals(bug)) {
      for (Bug each : Bug.all()) {
        out.println(each.name() + "  " + each.breaks());
      }
      out.flush();
      return 0;
    }
    SimOptions options = options(out);
    long first = seed != null ? seed : range(0);
    long last = seed != null ? seed : range(1);
    return runSeeds(options, first, last, out);
  }

  private SimOptions options(PrintWriter out) {
    if (nodes < 1 || ops < 0 || clients < 1 || watchers < 0 || jobs < 1) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--nodes, --clients and --jobs must be >= 1, --ops and --watchers >= 0");
    }
    Bug injected = Bug.NONE;
    if (bug != null) {
      try {
        injected = Bug.byName(bug);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
      }
    }
    SimOptions.LeaseReads lease;
    try {
      lease = SimOptions.LeaseReads.valueOf(leaseReads.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--lease-reads takes drawn, on or off, got " + leaseReads);
    }
    SimOptions options =
        SimOptions.defaults()
            .withNodes(nodes)
            .withOps(ops)
            .withLeaseReads(lease)
            .withClients(clients)
            .withWatchers(watchers)
            .withFaults(!noFaults)
            .withBug(injected)
            .withReportDirectory(reportDirectory);
    options = usage("--clock-drift-ppm", options, o -> o.withClockDriftPpmMax(clockDriftPpm));
    if (faults != null) {
      options =
          usage("--faults", options, o -> o.withFaultKinds(java.util.Set.of(faults.split(","))));
    }
    if (always != null) {
      options =
          usage("--always", options, o -> o.withForcedFaults(java.util.Set.of(always.split(","))));
    }
    if (trace) {
      options = options.withTrace(out::println);
    }
    return options;
  }

  /** Applies an option; what {@link SimOptions} refuses is a usage error naming the option. */
  private SimOptions usage(
      String option, SimOptions options, java.util.function.UnaryOperator<SimOptions> apply) {
    try {
      return apply.apply(options);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), option + ": " + e.getMessage());
    }
  }

  private long range(int end) {
    String[] bounds = seeds.split("\\.\\.", -1);
    try {
      long a = Long.parseLong(bounds[0]);
      long b = bounds.length == 2 ? Long.parseLong(bounds[1]) : a;
      if (bounds.length > 2 || b < a) {
        throw new NumberFormatException("bad range");
      }
      return end == 0 ? a : b;
    } catch (NumberFormatException e) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--seeds takes A..B with A <= B, got " + seeds);
    }
  }

  private int runSeeds(SimOptions options, long first, long last, PrintWriter out) {
    boolean progress = Terminal.interactive() && !trace && last > first;
    long started = System.nanoTime();
    long seedCount = 0;
    long violations = 0;
    long opCount = 0;
    long watchEvents = 0;
    long simNanos = 0;
    Map<String, Integer> faultSeeds = new TreeMap<>();
    SeedRunner runner = new SeedRunner(options, first, last, trace ? 1 : jobs);
    for (long s = first; s <= last; s++) {
      SimResult result = runner.next();
      seedCount++;
      opCount += result.ops();
      watchEvents += result.watchEvents();
      simNanos += result.simNanos();
      countFaults(result, faultSeeds);
      if (seed != null) {
        out.println("parameters " + result.parameters());
        out.println(
            "seed="
                + s
                + " "
                + result.linearizability()
                + " ok="
                + result.ok()
                + " fail="
                + result.fail()
                + " info="
                + result.info()
                + " watch_events="
                + result.watchEvents()
                + " events="
                + result.events()
                + " "
                + result.faults()
                + " trace_hash="
                + Long.toHexString(result.traceHash()));
      } else if (hashes) {
        out.println("seed=" + s + " trace_hash=" + Long.toHexString(result.traceHash()));
      }
      if (!result.passed()) {
        violations++;
        printViolation(result, options, out);
      }
      if (progress) {
        System.err.printf("\rseed %d/%d violations=%d", seedCount, last - first + 1, violations);
      }
      if (!result.passed() && untilViolation) {
        break;
      }
    }
    runner.close();
    if (progress) {
      System.err.println();
    }
    double wallSeconds = (System.nanoTime() - started) / 1e9;
    out.printf(
        Locale.ROOT,
        "seeds=%d violations=%d ops=%d watch_events=%d sim_seconds=%.1f "
            + "wall_seconds=%.1f seeds_per_second=%.2f faults_share=%s%n",
        seedCount,
        violations,
        opCount,
        watchEvents,
        simNanos / 1e9,
        wallSeconds,
        seedCount / wallSeconds,
        shares(faultSeeds, seedCount));
    out.flush();
    return violations == 0 ? 0 : 1;
  }

  /**
   * Runs seeds on {@code jobs} threads, a few ahead of the one asked for, and hands the results out
   * in seed order, so that the output does not depend on how many threads ran it. A seed is one
   * thread's work from start to end and shares nothing with the others.
   */
  private static final class SeedRunner implements AutoCloseable {
    private final SimOptions options;
    private final long last;
    private final java.util.concurrent.ExecutorService pool;
    private final java.util.ArrayDeque<java.util.concurrent.Future<SimResult>> ahead =
        new java.util.ArrayDeque<>();
    private final int window;
    private long nextToSubmit;

    SeedRunner(SimOptions options, long first, long last, int jobs) {
      this.options = options;
      this.last = last;
      this.nextToSubmit = first;
      this.window = 2 * jobs;
      this.pool =
          java.util.concurrent.Executors.newFixedThreadPool(
              jobs,
              task -> {
                Thread thread = new Thread(task, "sim-seed");
                thread.setDaemon(true);
                return thread;
              });
    }

    SimResult next() {
      while (ahead.size() < window && nextToSubmit <= last) {
        long seed = nextToSubmit++;
        ahead.add(pool.submit(() -> Simulation.run(seed, options)));
      }
      try {
        return ahead.removeFirst().get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while a seed ran", e);
      } catch (java.util.concurrent.ExecutionException e) {
        // Simulation.run reports what the cluster does as violations; what escapes is ours.
        throw new IllegalStateException("the simulator failed", e.getCause());
      }
    }

    @Override
    public void close() {
      pool.shutdownNow();
    }
  }

  private static void countFaults(SimResult result, Map<String, Integer> faultSeeds) {
    for (String fault : result.faultsOn()) {
      faultSeeds.merge(fault, 1, Integer::sum);
    }
  }

  private static String shares(Map<String, Integer> faultSeeds, long seedCount) {
    StringBuilder line = new StringBuilder();
    faultSeeds.forEach(
        (fault, count) ->
            line.append(line.isEmpty() ? "" : ",")
                .append(fault)
                .append(':')
                .append(String.format(Locale.ROOT, "%.2f", count / (double) seedCount)));
    return line.isEmpty() ? "none" : line.toString();
  }

  private void printViolation(SimResult result, SimOptions options, PrintWriter out) {
    StringBuilder replay = new StringBuilder("raftkv sim --seed " + result.seed());
    if (nodes != 5) {
      replay.append(" --nodes ").append(nodes);
    }
    if (ops != 1000) {
      replay.append(" --ops ").append(ops);
    }
    if (clients != 5) {
      replay.append(" --clients ").append(clients);
    }
    if (watchers != 2) {
      replay.append(" --watchers ").append(watchers);
    }
    if (noFaults) {
      replay.append(" --no-faults");
    }
    if (faults != null) {
      replay.append(" --faults ").append(faults);
    }
    if (always != null) {
      replay.append(" --always ").append(always);
    }
    if (options.clockDriftPpmMax() != SimOptions.defaults().clockDriftPpmMax()) {
      replay.append(" --clock-drift-ppm ").append(options.clockDriftPpmMax());
    }
    if (options.leaseReads() != SimOptions.LeaseReads.DRAWN) {
      replay.append(" --lease-reads ").append(leaseReads);
    }
    if (!options.bug().isNone()) {
      replay.append(" --bug ").append(options.bug().name());
    }
    replay.append(" --trace");
    for (String violation : result.violations()) {
      out.println("violation seed=" + result.seed() + " what=\"" + violation + "\"");
    }
    out.println("  report=" + result.report() + " replay=\"" + replay + "\"");
  }
}
