package io.raftkv.cli;

import io.etcd.jetcd.api.HashKVResponse;
import io.etcd.jetcd.api.StatusResponse;
import io.raftkv.client.RaftkvClient;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * etcdctl's endpoint commands, one line per endpoint given (--endpoints), each asked directly. Any
 * endpoint failing makes the exit code 1, after every line is printed.
 */
@Command(
    name = "endpoint",
    description = "Asks each endpoint for its health, status or key-value hash.",
    subcommands = {
      EndpointCommand.Health.class,
      EndpointCommand.EndpointStatus.class,
      EndpointCommand.HashKv.class
    })
final class EndpointCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "an endpoint subcommand is required");
  }

  /**
   * Healthy: the member answers Status within the timeout and knows a leader. (etcdctl commits a
   * read of the key "health" through the member; a Status that names a leader is our proxy.)
   */
  @Command(name = "health", description = "Whether each endpoint answers and knows a leader.")
  static final class Health extends ClientCommand {
    @Override
    boolean printsTable() {
      return true;
    }

    @Override
    int run(RaftkvClient client, PrintWriter out) throws Exception {
      boolean allHealthy = true;
      List<String> json = new ArrayList<>();
      List<List<String>> rows = new ArrayList<>();
      for (String endpoint : options.endpoints) {
        long started = System.nanoTime();
        String error = "";
        try {
          StatusResponse status = client.maintenance().status(endpoint).get();
          if (status.getLeader() == 0) {
            error = "etcdserver: no leader";
          }
        } catch (Exception e) {
          error = describe(e);
        }
        double tookMillis = (System.nanoTime() - started) / 1e6;
        boolean healthy = error.isEmpty();
        allHealthy &= healthy;
        rows.add(
            List.of(
                endpoint, Boolean.toString(healthy), String.format("%.3fms", tookMillis), error));
        json.add(
            String.format(
                "{\"endpoint\":\"%s\",\"health\":%b,\"took\":\"%.3fms\",\"error\":\"%s\"}",
                endpoint, healthy, tookMillis, error.replace("\"", "'")));
        if (options.format == ClientOptions.Format.simple) {
          out.println(
              healthy
                  ? String.format(
                      "%s is healthy: answered status with a leader: took = %.3fms",
                      endpoint, tookMillis)
                  : endpoint + " is unhealthy: " + error);
        }
      }
      if (options.json()) {
        out.println("[" + String.join(",", json) + "]");
      } else if (options.table()) {
        Table.print(out, List.of("ENDPOINT", "HEALTH", "TOOK", "ERROR"), rows);
      }
      if (!allHealthy) {
        throw new IllegalStateException("unhealthy cluster");
      }
      return 0;
    }
  }

  @Command(
      name = "status",
      description = "Each endpoint's id, version, db size, leader, term and index.")
  static final class EndpointStatus extends ClientCommand {
    private static final List<String> HEADINGS =
        List.of(
            "ENDPOINT",
            "ID",
            "VERSION",
            "DB SIZE",
            "IS LEADER",
            "IS LEARNER",
            "RAFT TERM",
            "RAFT INDEX",
            "RAFT APPLIED INDEX",
            "ERRORS");

    @Override
    boolean printsTable() {
      return true;
    }

    @Override
    int run(RaftkvClient client, PrintWriter out) throws Exception {
      List<CompletableFuture<StatusResponse>> asked = new ArrayList<>();
      for (String endpoint : options.endpoints) {
        asked.add(client.maintenance().status(endpoint));
      }
      List<String> json = new ArrayList<>();
      List<List<String>> rows = new ArrayList<>();
      Exception failure = null;
      for (int i = 0; i < asked.size(); i++) {
        String endpoint = options.endpoints.get(i);
        try {
          StatusResponse s = asked.get(i).get();
          json.add("{\"Endpoint\":\"" + endpoint + "\",\"Status\":" + Printer.json(s) + "}");
          rows.add(row(endpoint, s));
        } catch (Exception e) {
          failure = e;
          spec.commandLine()
              .getErr()
              .println(
                  "Failed to get the status of endpoint " + endpoint + " (" + describe(e) + ")");
        }
      }
      if (options.json()) {
        out.println("[" + String.join(",", json) + "]");
      } else if (options.table()) {
        Table.print(out, HEADINGS, rows);
      } else {
        rows.forEach(row -> out.println(String.join(", ", row)));
      }
      if (failure != null) {
        throw failure;
      }
      return 0;
    }

    private static List<String> row(String endpoint, StatusResponse s) {
      return List.of(
          endpoint,
          Long.toHexString(s.getHeader().getMemberId()),
          s.getVersion(),
          bytes(s.getDbSize()),
          Boolean.toString(s.getLeader() == s.getHeader().getMemberId()),
          "false",
          Long.toString(s.getRaftTerm()),
          Long.toString(s.getRaftIndex()),
          Long.toString(s.getRaftAppliedIndex()),
          String.join(" ", s.getErrorsList()));
    }
  }

  @Command(name = "hashkv", description = "Each endpoint's hash of its key-value history.")
  static final class HashKv extends ClientCommand {
    @Option(names = "--rev", description = "up to this revision (default: all)")
    long revision;

    @Override
    boolean printsTable() {
      return true;
    }

    @Override
    int run(RaftkvClient client, PrintWriter out) throws Exception {
      List<String> json = new ArrayList<>();
      List<List<String>> rows = new ArrayList<>();
      for (String endpoint : options.endpoints) {
        HashKVResponse r = client.maintenance().hashKv(endpoint, revision).get();
        json.add("{\"Endpoint\":\"" + endpoint + "\",\"HashKV\":" + Printer.json(r) + "}");
        rows.add(List.of(endpoint, Integer.toUnsignedString(r.getHash())));
      }
      if (options.json()) {
        out.println("[" + String.join(",", json) + "]");
      } else if (options.table()) {
        Table.print(out, List.of("ENDPOINT", "HASH"), rows);
      } else {
        rows.forEach(row -> out.println(String.join(", ", row)));
      }
      return 0;
    }
  }

  /** etcd's humanize.Bytes: decimal units. */
  static String bytes(long count) {
    if (count < 1000) {
      return count + " B";
    }
    String[] units = {"kB", "MB", "GB", "TB"};
    double value = count;
    int unit = -1;
    while (value >= 1000 && unit < units.length - 1) {
      value /= 1000;
      unit++;
    }
    return value < 10
        ? String.format("%.1f %s", value, units[unit])
        : String.format("%.0f %s", value, units[unit]);
  }
}
