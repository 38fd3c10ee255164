package io.raftkv.chaos;

import io.raftkv.server.RaftkvServer;
import io.raftkv.server.ServerOptions;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code raftkv server} for chaos's own tests, which cannot see the cli module: the same flags (the
 * {@link ServerOptions} mixin) and the same {@link RaftkvServer#run}.
 */
@Command(name = "server")
final class TestServerMain {
  @Mixin ServerOptions options;

  public static void main(String[] args) {
    TestServerMain main = new TestServerMain();
    new CommandLine(main).parseArgs(args);
    System.exit(RaftkvServer.run(main.options, new PrintWriter(System.err, true)));
  }
}
