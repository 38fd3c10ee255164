package io.raftkv.cli;

import io.raftkv.checker.Bench;
import io.raftkv.checker.Budget;
import io.raftkv.checker.CheckRunner;
import io.raftkv.checker.HistoryFormat;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code raftkv check}: a thin shell over the checker module's {@link CheckRunner}. */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description = {
      "Checks recorded histories for linearizability.",
      "Exit: 0 all linearizable, 1 any not linearizable, 2 usage error, bad input"
          + " or unknown (a budget ran out; never a guess: the printed line says which)."
    })
final class CheckCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--model",
      paramLabel = "MODEL",
      description = "register or kv (default: inferred from the operations)")
  String model;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      description = "jsonl, edn or jepsen-log (default: detected from the content)")
  String format;

  @Option(names = "--json", description = "print one JSON object per file")
  boolean json;

  @Option(
      names = "--report",
      paramLabel = "DIR",
      description = "write an HTML report DIR/<file>.html for each failing history")
  Path reportDirectory;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      defaultValue = "60",
      description = "time budget per history (default: ${DEFAULT-VALUE})")
  long timeoutSeconds;

  @Option(
      names = "--configurations-max",
      paramLabel = "N",
      defaultValue = "1000000",
      description =
          "search configurations held at once (bounds memory; default:" + " ${DEFAULT-VALUE})")
  int configurationsMax;

  @Option(
      names = "--jobs",
      paramLabel = "N",
      description =
          "keys of a history searched at once (default: the number of processors, here"
              + " ${DEFAULT-VALUE})")
  int jobs = Runtime.getRuntime().availableProcessors();

  @Option(
      names = "--bench",
      paramLabel = "DIR",
      description = "time the check of every history under DIR (median of --runs)")
  Path benchDirectory;

  @Option(
      names = "--runs",
      paramLabel = "N",
      defaultValue = "7",
      description = "timed runs per file with --bench (default: ${DEFAULT-VALUE})")
  int runs;

  @Parameters(paramLabel = "FILE", arity = "0..*", description = "history files")
  List<Path> files = List.of();

  @Override
  public Integer call() {
    if (benchDirectory == null && files.isEmpty()) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "give FILE... to check, or --bench DIR");
    }
    if (timeoutSeconds < 1 || configurationsMax < 1 || runs < 1 || jobs < 1) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--timeout, --configurations-max, --runs and --jobs must be positive");
    }
    HistoryFormat chosenFormat;
    try {
      chosenFormat = format == null ? null : HistoryFormat.fromCliName(format);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    CheckRunner.Options options =
        new CheckRunner.Options(
            model,
            chosenFormat,
            json,
            reportDirectory,
            new Budget(Duration.ofSeconds(timeoutSeconds), configurationsMax),
            jobs,
            Terminal.interactive());
    if (benchDirectory != null) {
      return Bench.run(benchDirectory, options, runs, System.out, System.err);
    }
    return CheckRunner.check(files, options, System.out, System.err);
  }
}
