package io.raftkv.cli;

import io.raftkv.chaos.ChaosOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code raftkv demo}: the first thing to run. A {@code raftkv chaos} run with defaults chosen to
 * be read as it goes (five servers, a fault every eight seconds, about a minute of load), told as a
 * story: what is about to happen, each step, and what the verdict means.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "The demonstration: raftkv chaos with readable defaults. Five raftkv server processes,"
          + " clients reading and writing while members are killed, paused, partitioned and"
          + " slowed, then the checker's verdict on everything the clients saw (under two"
          + " minutes).",
      "Exit: 0 linearizable and converged, 1 not, 2 usage error."
    })
final class ChaosDemoCommand implements Callable<Integer> {
  private static final int OPERATIONS = 500;
  private static final double RATE = 10;
  private static final Duration FAULT_EVERY = Duration.ofSeconds(8);

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--seed", paramLabel = "S", description = "the schedule's seed (default: drawn)")
  Long seed;

  @Option(names = "--nodes", defaultValue = "5", description = "members (default: 5)")
  int nodes;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description = "where everything goes (default: runs/<time>-<seed>)")
  Path out;

  @Override
  public Integer call() throws Exception {
    long chosenSeed = seed != null ? seed : new Random().nextInt(1_000_000);
    ChaosOptions options;
    try {
      options =
          new ChaosOptions(
              nodes,
              OPERATIONS,
              chosenSeed,
              10,
              5,
              List.of("kill", "pause", "partition", "delay"),
              RATE,
              FAULT_EVERY,
              out != null ? out : ChaosCommand.defaultOut(chosenSeed),
              ChaosOptions.DEFAULT_SERVER_FLAGS);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    PrintWriter terminal = spec.commandLine().getOut();
    terminal.printf(
        "raftkv demo: %d real raftkv server processes on this machine, their peer links through"
            + " proxies we control.%n"
            + "10 clients will read, write and compare-and-set 5 keys for about %d s while a"
            + " nemesis%nkills (-9), pauses (SIGSTOP), partitions and slows the servers. Every"
            + " request and answer%nis recorded; at the end the faults heal, every member must"
            + " hold the same data, and a%nlinearizability checker judges the whole history.%n%n",
        nodes, (long) (OPERATIONS / RATE));
    terminal.flush();
    int exit = ChaosCommand.run(spec, options);
    terminal.println();
    terminal.println(
        exit == 0
            ? "PASS means: every answer a client got is one a single, correct copy of the data"
                + " could have given,\nin real-time order, despite the faults; and every member"
                + " ended with the same data."
            : "FAIL: see verdict.txt, the HTML report if there is one, and the node logs in "
                + options.out());
    terminal.println(
        "Next: raftkv chaos --help (longer runs, other faults), raftkv check "
            + options.out().resolve("history.jsonl"));
    terminal.flush();
    return exit;
  }
}
