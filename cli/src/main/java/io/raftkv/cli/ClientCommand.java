package io.raftkv.cli;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.raftkv.client.RaftkvClient;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;

/**
 * A command that talks to a cluster through the client. Exit codes as etcdctl's: 0 done, 1 an error
 * from the cluster (one line, "Error: " and what went wrong), 2 a usage error (picocli).
 */
abstract class ClientCommand implements Callable<Integer> {
  @Mixin ClientOptions options;
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Runs against {@code client}, printing to {@code out}; the exit code. */
  abstract int run(RaftkvClient client, PrintWriter out) throws Exception;

  /** Whether the command has a {@code -w table} shape; etcdctl refuses the others. */
  boolean printsTable() {
    return false;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (options.table() && !printsTable()) {
      err.println("Error: table not supported as output format");
      err.flush();
      return 2;
    }
    try (RaftkvClient client = options.connect()) {
      int code = run(client, out);
      out.flush();
      return code;
    } catch (IllegalArgumentException e) {
      err.println("Error: " + e.getMessage());
      err.flush();
      return 2;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("Error: interrupted");
      return 1;
    } catch (Exception e) {
      out.flush();
      err.println("Error: " + describe(e));
      err.flush();
      return 1;
    }
  }

  /** One line naming what went wrong: etcd's own message where there is one. */
  static String describe(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof ExecutionException || cause instanceof CompletionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof StatusRuntimeException e) {
      Status status = e.getStatus();
      if (status.getDescription() != null && status.getDescription().startsWith("etcdserver:")) {
        return status.getDescription();
      }
      String what = status.getDescription() != null ? status.getDescription() : "";
      if (status.getCause() != null) {
        what = (what.isEmpty() ? "" : what + ": ") + status.getCause().getMessage();
      }
      return status.getCode() + (what.isEmpty() ? "" : ": " + what);
    }
    return cause.getMessage() != null ? cause.getMessage() : cause.toString();
  }
}
