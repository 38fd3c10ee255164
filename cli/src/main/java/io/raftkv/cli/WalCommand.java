package io.raftkv.cli;

import io.raftkv.storage.RealFileSystem;
import io.raftkv.storage.WalBench;
import io.raftkv.storage.WalInspect;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Tools for a node's write-ahead log: verify it offline, measure group commit on this disk. */
@Command(
    name = "wal",
    mixinStandardHelpOptions = true,
    description = "Inspect a node's write-ahead log or benchmark group commit.",
    subcommands = {WalCommand.Inspect.class, WalCommand.Bench.class})
final class WalCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "a subcommand is required: inspect or bench");
  }

  @Command(
      name = "inspect",
      mixinStandardHelpOptions = true,
      description =
          "Verify every CRC of DIR/wal and DIR/snap and print segments, indexes, "
              + "terms, hard state and snapshots. Exit 1 on corruption.")
  static final class Inspect implements Callable<Integer> {
    @Parameters(paramLabel = "DIR", description = "The node's data directory.")
    Path dir;

    @Override
    public Integer call() {
      return WalInspect.run(new RealFileSystem(), dir, System.out);
    }
  }

  @Command(
      name = "bench",
      mixinStandardHelpOptions = true,
      description =
          "Append entries from concurrent writers through group commit and compare "
              + "with the disk's raw fsync rate.")
  static final class Bench implements Callable<Integer> {
    @Option(
        names = "--dir",
        required = true,
        description = "Scratch directory on the disk " + "to measure.")
    Path dir;

    @Option(
        names = "--entries",
        defaultValue = "100000",
        description = "Entries to append " + "(default: ${DEFAULT-VALUE}).")
    int entries;

    @Option(
        names = "--size",
        defaultValue = "256",
        description = "Payload bytes per entry " + "(default: ${DEFAULT-VALUE}).")
    int sizeBytes;

    @Option(
        names = "--writers",
        defaultValue = "8",
        description = "Concurrent writers " + "(default: ${DEFAULT-VALUE}).")
    int writers;

    @Option(
        names = "--inflight",
        defaultValue = "16",
        description = "Appends in flight per " + "writer (default: ${DEFAULT-VALUE}).")
    int inflight;

    @Override
    public Integer call() throws Exception {
      return WalBench.run(
          new String[] {
            "--dir",
            dir.toString(),
            "--entries",
            String.valueOf(entries),
            "--size",
            String.valueOf(sizeBytes),
            "--writers",
            String.valueOf(writers),
            "--inflight",
            String.valueOf(inflight)
          },
          System.out);
    }
  }
}
