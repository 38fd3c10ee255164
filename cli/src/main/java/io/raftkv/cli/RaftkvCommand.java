package io.raftkv.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The one {@code raftkv} command; each subcommand is a class of its own. */
@Command(
    name = "raftkv",
    mixinStandardHelpOptions = true,
    version = "raftkv 0.1.0",
    description = "A replicated, linearizable key-value store on our own Raft.",
    subcommands = {
      ChaosDemoCommand.class,
      DemoCommand.class,
      CheckCommand.class,
      WalCommand.class,
      SimCommand.class,
      ServerCommand.class,
      KvCommands.Put.class,
      KvCommands.Get.class,
      KvCommands.Del.class,
      KvCommands.Compact.class,
      TxnCommand.class,
      WatchCommand.class,
      LeaseCommand.class,
      MemberCommand.class,
      EndpointCommand.class,
      StatusCommand.class,
      LeaderCommand.class,
      SnapshotCommand.class,
      BenchCommand.class,
      ClusterCommand.class,
      ChaosCommand.class,
    })
public final class RaftkvCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
  }

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs the command line; picocli maps usage errors to exit code 2. */
  static int execute(String... args) {
    return new CommandLine(new RaftkvCommand()).execute(args);
  }
}
