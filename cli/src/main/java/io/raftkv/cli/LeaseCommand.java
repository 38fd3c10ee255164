package io.raftkv.cli;

import io.etcd.jetcd.api.LeaseGrantResponse;
import io.etcd.jetcd.api.LeaseKeepAliveResponse;
import io.etcd.jetcd.api.LeaseTimeToLiveResponse;
import io.etcd.jetcd.api.ResponseHeader;
import io.raftkv.client.Lease;
import io.raftkv.client.LeaseExpiredException;
import io.raftkv.client.LeaseList;
import io.raftkv.client.RaftkvClient;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** etcdctl's lease commands; lease ids in hex, as etcdctl prints them. */
@Command(
    name = "lease",
    description = "Grants, revokes, inspects and keeps alive leases.",
    subcommands = {
      LeaseCommand.Grant.class,
      LeaseCommand.Revoke.class,
      LeaseCommand.TimeToLive.class,
      LeaseCommand.KeepAlive.class,
      LeaseCommand.ListLeases.class
    })
final class LeaseCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a lease subcommand is required");
  }

  @Command(name = "grant", description = "Grants a lease of TTL seconds.")
  static final class Grant extends ClientCommand {
    @Parameters(index = "0", paramLabel = "TTL")
    long ttlSeconds;

    @Override
    int run(RaftkvClient client, PrintWriter out) throws Exception {
      LeaseGrantResponse response = client.lease().grant(Duration.ofSeconds(ttlSeconds)).get();
      out.println(
          options.json()
              ? Printer.json(response)
              : "lease "
                  + Printer.leaseId(response.getID())
                  + " granted with TTL("
                  + response.getTTL()
                  + "s)");
      return 0;
    }
  }

  @Command(name = "revoke", description = "Revokes a lease and deletes its keys.")
  static final class Revoke extends ClientCommand {
    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Override
    int run(RaftkvClient client, PrintWriter out) throws Exception {
      long leaseId = Printer.parseLeaseId(id);
      var response = client.lease().revoke(leaseId).get();
      out.println(
          options.json()
              ? Printer.json(response)
              : "lease " + Printer.leaseId(leaseId) + " revoked");
      return 0;
    }
  }

  @Command(name = "timetolive", description = "Shows a lease's TTL and, with --keys, its keys.")
  static final class TimeToLive extends ClientCommand {
    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Option(names = "--keys", description = "list the keys attached to the lease")
    boolean keys;

    @Override
    int run(RaftkvClient client, PrintWriter out) throws Exception {
      long leaseId = Printer.parseLeaseId(id);
      LeaseTimeToLiveResponse r = client.lease().timeToLive(leaseId, keys).get();
      if (options.json()) {
        out.println(Printer.json(r));
      } else if (r.getTTL() == -1) {
        out.println("lease " + Printer.leaseId(leaseId) + " already expired");
      } else {
        StringBuilder line =
            new StringBuilder("lease " + Printer.leaseId(leaseId) + " granted with TTL(");
        line.append(r.getGrantedTTL()).append("s), remaining(").append(r.getTTL()).append("s)");
        if (keys) {
          line.append(", attached keys(")
              .append(
                  String.join(", ", r.getKeysList().stream().map(k -> k.toStringUtf8()).toList()))
              .append(")");
        }
        out.println(line);
      }
      return 0;
    }
  }

  @Command(name = "keep-alive", description = "Keeps a lease alive until interrupted.")
  static final class KeepAlive extends ClientCommand {
    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Override
    int run(RaftkvClient client, PrintWriter out) throws Exception {
      long leaseId = Printer.parseLeaseId(id);
      CompletableFuture<Void> ended = new CompletableFuture<>();
      io.raftkv.client.KeepAlive alive =
          client
              .lease()
              .keepAlive(
                  leaseId,
                  new Lease.KeepAliveListener() {
                    @Override
                    public void onRenewed(LeaseKeepAliveResponse response) {
                      out.println(
                          options.json()
                              ? Printer.json(response)
                              : "lease "
                                  + Printer.leaseId(leaseId)
                                  + " keepalived with TTL("
                                  + response.getTTL()
                                  + ")");
                      out.flush();
                    }

                    @Override
                    public void onEnded(Throwable why) {
                      ended.completeExceptionally(why);
                    }
                  });
      try {
        ended.get();
        return 0;
      } catch (java.util.concurrent.ExecutionException e) {
        if (e.getCause() instanceof LeaseExpiredException) {
          out.println("lease " + Printer.leaseId(leaseId) + " expired or revoked.");
          return 0;
        }
        throw e;
      } finally {
        alive.close();
      }
    }
  }

  /**
   * etcdctl's lease list: "found N leases", then each id as {@code %016x}; its JSON flattens the
   * header, as etcdctl 3.4's printer does (there is no generated message to print here).
   */
  @Command(name = "list", description = "Lists every lease's id.")
  static final class ListLeases extends ClientCommand {
    @Override
    int run(RaftkvClient client, PrintWriter out) throws Exception {
      LeaseList leases = client.lease().leases().get();
      if (options.json()) {
        out.println(json(leases));
        return 0;
      }
      out.println("found " + leases.ids().size() + " leases");
      for (long id : leases.ids()) {
        out.println(Printer.leaseId(id));
      }
      return 0;
    }

    private static String json(LeaseList leases) {
      ResponseHeader h = leases.header();
      StringBuilder json = new StringBuilder();
      json.append("{\"cluster_id\":").append(Long.toUnsignedString(h.getClusterId()));
      json.append(",\"member_id\":").append(Long.toUnsignedString(h.getMemberId()));
      json.append(",\"revision\":").append(h.getRevision());
      json.append(",\"raft_term\":").append(Long.toUnsignedString(h.getRaftTerm()));
      json.append(",\"leases\":[");
      for (int i = 0; i < leases.ids().size(); i++) {
        json.append(i == 0 ? "" : ",").append("{\"id\":").append(leases.ids().get(i)).append('}');
      }
      return json.append("]}").toString();
    }
  }
}
