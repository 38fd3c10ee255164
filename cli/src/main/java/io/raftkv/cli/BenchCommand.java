package io.raftkv.cli;

import io.raftkv.cli.bench.BenchResult;
import io.raftkv.cli.bench.LoadGenerator;
import io.raftkv.cli.bench.LoadPlan;
import io.raftkv.client.RaftkvClient;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code raftkv bench}: one kind of request from many clients against any etcd v3 endpoint (raftkv
 * or etcd), a progress line while it runs and one result line at the end.
 */
@Command(
    name = "bench",
    description = "Measures throughput and latency of one kind of request against raftkv or etcd.",
    subcommands = {BenchCompareCommand.class})
final class BenchCommand implements Callable<Integer> {
  @Mixin ClientOptions options;
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--op",
      defaultValue = "put",
      description = "put, get (linearizable), get-serializable, txn (compare-and-set) or mixed")
  String operation;

  @Option(names = "--clients", defaultValue = "16", description = "concurrent clients")
  int clients;

  @Option(
      names = "--connections",
      defaultValue = "1",
      description = "client connections the clients share (default ${DEFAULT-VALUE})")
  int connections;

  @Option(names = "--value-size", defaultValue = "256", description = "bytes per value")
  int valueBytes;

  @Option(names = "--keys", defaultValue = "1000", description = "distinct keys")
  int keyCount;

  @Option(names = "--seconds", defaultValue = "10", description = "measured seconds")
  int seconds;

  @Option(names = "--warmup", defaultValue = "2", description = "seconds before measuring")
  int warmupSeconds;

  @Option(
      names = "--rate",
      defaultValue = "0",
      description = "requests per second over all clients (0: as fast as answered)")
  double rate;

  @Option(names = "--json", description = "print the result as one JSON object")
  boolean json;

  @Option(names = "--csv", description = "print the result as a CSV header and one row")
  boolean csv;

  @Option(
      names = "--server-pids",
      split = ",",
      paramLabel = "PID",
      description = "server processes whose CPU time and memory to report (Linux /proc)")
  List<Long> serverPids = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    BenchWorkload.Kind kind;
    try {
      kind = BenchWorkload.Kind.of(operation);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    checkPositive("--clients", clients);
    checkPositive("--connections", connections);
    checkPositive("--keys", keyCount);
    checkPositive("--seconds", seconds);
    if (valueBytes < 0 || warmupSeconds < 0) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--value-size and --warmup must not be negative");
    }
    LoadPlan plan =
        new LoadPlan(
            clients,
            Duration.ofSeconds(warmupSeconds),
            Duration.ofSeconds(seconds),
            rate,
            options.commandTimeout.plusSeconds(1));
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<RaftkvClient> opened = new ArrayList<>();
    try {
      for (int i = 0; i < connections; i++) {
        opened.add(options.connect());
      }
      BenchWorkload workload = new BenchWorkload(kind, opened, keyCount, valueBytes, clients);
      workload.prepare();
      BenchResult result =
          new LoadGenerator(
                  kind.flag,
                  plan,
                  workload,
                  ClientCommand::describe,
                  serverPids,
                  progress -> printProgress(err, progress))
              .run();
      print(out, result);
      if (result.operations() == 0) {
        err.println(
            "Error: no request succeeded"
                + result.errors().keySet().stream()
                    .findFirst()
                    .map(kindOf -> ": " + kindOf)
                    .orElse(""));
        return 1;
      }
      return 0;
    } catch (RuntimeException e) {
      err.println("Error: " + ClientCommand.describe(e));
      return 1;
    } finally {
      opened.forEach(RaftkvClient::close);
      out.flush();
      err.flush();
    }
  }

  private void checkPositive(String flag, long value) {
    if (value < 1) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), flag + " must be at least 1, not " + value);
    }
  }

  private void print(PrintWriter out, BenchResult result) {
    if (json || options.json()) {
      out.println(result.json());
    } else if (csv) {
      out.println(String.join(",", BenchResult.CSV_COLUMNS));
      out.println(result.csvRow());
    } else {
      out.println(result.summaryLine());
    }
  }

  private static void printProgress(PrintWriter err, LoadGenerator.Progress progress) {
    err.printf(
        Locale.ROOT,
        "bench %s %4.0f s: %,8.0f ops/s, p99 %.1f ms, errors %d%n",
        progress.phase(),
        progress.elapsedSeconds(),
        progress.operationsPerSecond(),
        progress.p99Millis(),
        progress.errors());
    err.flush();
  }
}
