package io.raftkv.cli;

import io.raftkv.chaos.ChaosOptions;
import io.raftkv.chaos.ChaosRun;
import io.raftkv.chaos.ClusterException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code raftkv chaos}: a Jepsen-style run against real {@code raftkv server} processes
 * (docs/chaos.md). The run itself is chaos's {@link ChaosRun}; this class parses flags and maps the
 * outcome to an exit code.
 */
@Command(
    name = "chaos",
    mixinStandardHelpOptions = true,
    description = {
      "Starts a fresh cluster of raftkv server processes whose peer links run through proxies,"
          + " runs a recorded register workload (read, write, compare-and-set) while a seeded"
          + " nemesis kills, pauses, partitions and slows the members, then heals, reads every"
          + " key, compares HashKV on every member and checks the history for linearizability.",
      "Server flags after -- replace the run's (default: --heartbeat-interval 50"
          + " --election-timeout 500).",
      "Exit: 0 linearizable and converged, 1 not (or the run broke), 2 usage error."
    })
final class ChaosCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--nodes", defaultValue = "5", description = "members (default: 5)")
  int nodes;

  @Option(names = "--ops", defaultValue = "400", description = "register operations (default: 400)")
  int ops;

  @Option(names = "--seed", paramLabel = "S", description = "the schedule's seed (default: drawn)")
  Long seed;

  @Option(names = "--clients", defaultValue = "10", description = "clients (default: 10)")
  int clients;

  @Option(names = "--keys", defaultValue = "5", description = "registers (default: 5)")
  int keys;

  @Option(
      names = "--nemesis",
      defaultValue = "kill,pause,partition,delay",
      split = ",",
      description = "faults: kill, pause, partition, delay, or none (default: ${DEFAULT-VALUE})")
  List<String> nemesis;

  @Option(
      names = "--rate",
      defaultValue = "20",
      description = "operations started per second, over all clients (default: 20)")
  double rate;

  @Option(
      names = "--fault-every",
      paramLabel = "SECONDS",
      defaultValue = "6",
      description = "mean seconds from one fault to the next, 60%% of it faulty (default: 6)")
  double faultEverySeconds;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description = "where everything goes (default: runs/<time>-<seed>)")
  Path out;

  @Parameters(paramLabel = "SERVER-FLAG", description = "flags for every server, after --")
  List<String> serverFlags = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    long chosenSeed = seed != null ? seed : new Random().nextInt(1_000_000);
    ChaosOptions options;
    try {
      options =
          new ChaosOptions(
              nodes,
              ops,
              chosenSeed,
              clients,
              keys,
              nemesis.equals(List.of("none")) ? List.of() : nemesis,
              rate,
              Duration.ofMillis((long) (faultEverySeconds * 1000)),
              out != null ? out : defaultOut(chosenSeed),
              serverFlags.isEmpty() ? ChaosOptions.DEFAULT_SERVER_FLAGS : serverFlags);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    return run(spec, options);
  }

  /** Runs {@code options}; a run that broke before its verdict is one line and exit 1. */
  static int run(CommandLine.Model.CommandSpec spec, ChaosOptions options) throws Exception {
    try {
      return ChaosRun.run(options, ClusterCommand.serverCommand(), spec.commandLine().getOut())
          .exitCode();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    } catch (ClusterException e) {
      PrintWriter err = spec.commandLine().getErr();
      err.println("raftkv chaos: the run broke: " + e.getMessage());
      err.println("FAIL: no verdict; logs in " + options.out());
      err.flush();
      return 1;
    }
  }

  static Path defaultOut(long seed) {
    String time =
        LocalDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    return Path.of("runs", time + "-" + seed);
  }
}
