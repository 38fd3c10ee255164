package io.raftkv.cli;

import io.raftkv.chaos.ClusterException;
import io.raftkv.chaos.ClusterHealth;
import io.raftkv.chaos.ClusterHealth.MemberView;
import io.raftkv.chaos.JavaCommand;
import io.raftkv.chaos.LocalCluster;
import io.raftkv.chaos.NodeStatus;
import io.raftkv.chaos.ServerNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code raftkv cluster}: a local cluster of {@code raftkv server} processes for trying things by
 * hand (docs/cluster.md). The processes live in {@code chaos}'s {@link LocalCluster}, which the
 * chaos harness drives too; this class only turns its outcomes into lines.
 */
@Command(
    name = "cluster",
    mixinStandardHelpOptions = true,
    description = {
      "A local cluster of raftkv server processes on loopback ports, data and logs under"
          + " --dir. It runs in the background until stopped.",
      "Exit: 0 done, 1 the cluster could not do it (the message says why), 2 usage error."
    },
    subcommands = {
      ClusterCommand.Start.class,
      ClusterCommand.Status.class,
      ClusterCommand.Stop.class,
      ClusterCommand.Kill.class,
      ClusterCommand.Restart.class,
    })
final class ClusterCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
  }

  /** The options every subcommand shares, and the one way they open the cluster. */
  static final class Where {
    @Option(
        names = "--dir",
        paramLabel = "DATA",
        defaultValue = "${env:RAFTKV_CLUSTER_DIR:-data}",
        description = "the cluster's directory (env RAFTKV_CLUSTER_DIR; default: data)")
    Path dir;

    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec spec;

    PrintWriter out() {
      return spec.commandLine().getOut();
    }

    LocalCluster open() {
      return LocalCluster.open(dir, serverCommand(), this::say)
          .orElseThrow(
              () ->
                  new ClusterException(
                      "no cluster in " + dir + " (start one with raftkv cluster start)"));
    }

    void say(String line) {
      out().println(line);
      out().flush();
    }

    /** Runs {@code action} holding the directory's lock; a refusal is one line and exit 1. */
    @SuppressWarnings("try") // the lock is held, not used, inside the block
    int run(Action action) {
      try (AutoCloseable lock = LocalCluster.lock(dir)) {
        return action.run();
      } catch (ClusterException e) {
        PrintWriter err = spec.commandLine().getErr();
        err.println("raftkv cluster: " + e.getMessage());
        err.flush();
        return 1;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return 1;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  interface Action {
    int run() throws Exception;
  }

  /** {@code raftkv server} from the jar (or class path) this command runs from. */
  static JavaCommand serverCommand() {
    return JavaCommand.onThisClassPath(RaftkvCommand.class.getName(), "server");
  }

  @Command(
      name = "start",
      mixinStandardHelpOptions = true,
      description = {
        "Starts a new cluster in DATA, or the stopped members of the one there (from their data"
            + " dirs, on their ports), and waits until every member answers and one leads.",
        "Server flags after -- go to every server of a new cluster, e.g."
            + " -- --election-timeout 500"
      })
  static final class Start implements Callable<Integer> {
    @CommandLine.Mixin Where where;

    @Option(
        names = {"-n", "--nodes"},
        defaultValue = "3",
        description = "members (default: 3)")
    int nodes;

    @Option(
        names = "--wait",
        defaultValue = "60",
        paramLabel = "SECONDS",
        description = "how long to wait for a healthy cluster (default: 60)")
    long waitSeconds;

    @Parameters(paramLabel = "SERVER-FLAG", description = "flags for every server, after --")
    List<String> serverFlags = new ArrayList<>();

    @Override
    public Integer call() {
      return where.run(
          () -> {
            try (LocalCluster cluster =
                LocalCluster.openOrCreate(
                    where.dir, nodes, serverCommand(), serverFlags, where::say)) {
              cluster.startAll();
              ServerNode leader;
              try {
                leader =
                    ClusterHealth.awaitLeader(cluster.nodes(), Duration.ofSeconds(waitSeconds));
              } catch (ClusterException e) {
                List<String> killed = cluster.stopAll(Duration.ofSeconds(10));
                throw new ClusterException(
                    e.getMessage()
                        + "\nstopped the members again"
                        + (killed.isEmpty() ? "" : " (killed " + killed + ")")
                        + "; data and logs are kept in "
                        + where.dir);
              }
              printHealthy(cluster, leader);
              return 0;
            }
          });
    }

    private void printHealthy(LocalCluster cluster, ServerNode leader) {
      NodeStatus status = leader.status(ClusterHealth.PROBE_TIMEOUT).orElseThrow();
      where.say(
          String.format(
              "cluster of %d is healthy: leader %s (term %d)",
              cluster.nodes().size(), leader.name(), status.term()));
      for (ServerNode node : cluster.nodes()) {
        where.say(String.format("  %-3s %s", node.name(), node.clientUrl()));
      }
      where.say("export RAFTKV_ENDPOINTS=" + cluster.endpoints());
      where.say("export ETCDCTL_ENDPOINTS=" + cluster.endpoints());
    }
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description = "Each member: its process, endpoint, and role, term and leader if it answers.")
  static final class Status implements Callable<Integer> {
    @CommandLine.Mixin Where where;

    @Override
    public Integer call() {
      return where.run(
          () -> {
            try (LocalCluster cluster = where.open()) {
              List<MemberView> views = ClusterHealth.probe(cluster.nodes());
              where.say(
                  String.format(
                      "%-4s %-8s %-8s %-24s %-9s %-5s %-6s %-7s %s",
                      "NAME",
                      "PID",
                      "PROCESS",
                      "ENDPOINT",
                      "ROLE",
                      "TERM",
                      "LEADER",
                      "COMMIT",
                      "APPLIED"));
              for (MemberView view : views) {
                where.say(row(view, views));
              }
              return 0;
            }
          });
    }

    private static String row(MemberView view, List<MemberView> views) {
      ServerNode node = view.node();
      String pid = view.running() ? Long.toString(node.pid()) : "-";
      String process = view.running() ? "running" : "down";
      Optional<NodeStatus> status = view.status();
      if (status.isEmpty()) {
        return String.format(
                "%-4s %-8s %-8s %-24s %s",
                node.name(), pid, process, node.clientUrl(), view.running() ? "(no answer)" : "")
            .stripTrailing();
      }
      NodeStatus s = status.get();
      String role = s.isLeader() ? "leader" : s.leaderId() == 0 ? "no-leader" : "follower";
      return String.format(
          "%-4s %-8s %-8s %-24s %-9s %-5d %-6s %-7d %d",
          node.name(),
          pid,
          process,
          node.clientUrl(),
          role,
          s.term(),
          ClusterHealth.nameOf(s.leaderId(), views),
          s.commitIndex(),
          s.appliedIndex());
    }
  }

  @Command(
      name = "stop",
      mixinStandardHelpOptions = true,
      description =
          "SIGTERM to every member (a leader hands over first), kill -9 after --timeout."
              + " Data stays: raftkv cluster start brings the same cluster back.")
  static final class Stop implements Callable<Integer> {
    @CommandLine.Mixin Where where;

    @Option(
        names = "--timeout",
        defaultValue = "30",
        paramLabel = "SECONDS",
        description = "how long each member gets after SIGTERM (default: 30)")
    long timeoutSeconds;

    @Override
    public Integer call() {
      return where.run(
          () -> {
            try (LocalCluster cluster = where.open()) {
              List<String> running =
                  cluster.nodes().stream().filter(ServerNode::alive).map(ServerNode::name).toList();
              List<String> killed = cluster.stopAll(Duration.ofSeconds(timeoutSeconds));
              for (String name : running) {
                where.say(
                    name
                        + (killed.contains(name)
                            ? " killed: still running " + timeoutSeconds + " s after SIGTERM"
                            : " stopped"));
              }
              where.say(
                  running.isEmpty()
                      ? "no member was running in " + where.dir
                      : "cluster stopped; its data stays in " + where.dir);
              return 0;
            }
          });
    }
  }

  @Command(
      name = "kill",
      mixinStandardHelpOptions = true,
      description = "kill -9 of one member, to watch the others carry on; data stays.")
  static final class Kill implements Callable<Integer> {
    @CommandLine.Mixin Where where;

    @Parameters(paramLabel = "NODE", description = "a member's name, e.g. n1")
    String name;

    @Override
    public Integer call() {
      return where.run(
          () -> {
            try (LocalCluster cluster = where.open()) {
              cluster.kill(name);
              return 0;
            }
          });
    }
  }

  @Command(
      name = "restart",
      mixinStandardHelpOptions = true,
      description = "Starts a killed or stopped member again from its data dir, on its ports.")
  static final class Restart implements Callable<Integer> {
    @CommandLine.Mixin Where where;

    @Parameters(paramLabel = "NODE", description = "a member's name, e.g. n1")
    String name;

    @Option(
        names = "--wait",
        defaultValue = "60",
        paramLabel = "SECONDS",
        description = "how long to wait until it follows a leader (default: 60)")
    long waitSeconds;

    @Override
    public Integer call() {
      return where.run(
          () -> {
            try (LocalCluster cluster = where.open()) {
              cluster.restart(name);
              List<ServerNode> running =
                  cluster.nodes().stream().filter(ServerNode::alive).toList();
              ServerNode leader =
                  ClusterHealth.awaitLeader(running, Duration.ofSeconds(waitSeconds));
              where.say(name + " is back: leader " + leader.name());
              return 0;
            } catch (IOException e) {
              throw new ClusterException("cannot restart " + name + ": " + e.getMessage());
            }
          });
    }
  }
}
