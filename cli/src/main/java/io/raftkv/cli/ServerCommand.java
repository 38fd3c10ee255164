package io.raftkv.cli;

import io.raftkv.server.RaftkvServer;
import io.raftkv.server.ServerOptions;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code raftkv server}: one cluster member, started with etcd's flags (docs/server.md). */
@Command(
    name = "server",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Run one member of a raftkv cluster. Flags are etcd's; each is also read from "
            + "RAFTKV_<FLAG> (e.g. RAFTKV_INITIAL_CLUSTER). SIGTERM stops it cleanly.")
final class ServerCommand implements Callable<Integer> {
  @Mixin ServerOptions options;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    return RaftkvServer.run(options, spec.commandLine().getErr());
  }
}
