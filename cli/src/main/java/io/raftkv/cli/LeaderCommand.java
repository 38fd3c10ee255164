package io.raftkv.cli;

import io.etcd.jetcd.api.Member;
import io.etcd.jetcd.api.MoveLeaderResponse;
import io.raftkv.client.RaftkvClient;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** etcdctl's move-leader, as {@code raftkv leader transfer --to MEMBER}. */
@Command(
    name = "leader",
    description = "Moves the cluster's leadership.",
    subcommands = {LeaderCommand.Transfer.class})
final class LeaderCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a leader subcommand is required");
  }

  /**
   * Finds the leader and asks it (only a leader moves leadership) to hand over to MEMBER; prints
   * once MEMBER leads, as etcdctl does.
   */
  @Command(
      name = "transfer",
      description = "Hands leadership to MEMBER (its name or hex id), asking the leader.")
  static final class Transfer extends ClientCommand {
    @Option(
        names = "--to",
        required = true,
        paramLabel = "MEMBER",
        description = "the member to lead: a name (n2) or an id in hex, as member list prints")
    String target;

    @Override
    int run(RaftkvClient client, PrintWriter out) throws Exception {
      List<Member> members = client.cluster().memberList().get().getMembersList();
      Member to = member(members, target);
      Optional<String> leader = client.maintenance().findLeader().get();
      if (leader.isEmpty()) {
        throw new IllegalStateException("etcdserver: no leader");
      }
      long from = client.maintenance().status(leader.get()).get().getHeader().getMemberId();
      if (from == to.getID()) {
        out.println(name(to) + " is the leader already");
        return 0;
      }
      MoveLeaderResponse moved = client.maintenance().moveLeader(to.getID()).get();
      out.println(
          options.json()
              ? Printer.json(moved)
              : "Leadership transferred from "
                  + Long.toHexString(from)
                  + " to "
                  + Long.toHexString(to.getID()));
      return 0;
    }

    private static Member member(List<Member> members, String nameOrId) {
      for (Member m : members) {
        if (m.getName().equals(nameOrId) || Long.toHexString(m.getID()).equals(nameOrId)) {
          return m;
        }
      }
      throw new IllegalArgumentException(
          "no member '"
              + nameOrId
              + "' in the cluster (members: "
              + String.join(", ", members.stream().map(Transfer::name).toList())
              + ")");
    }

    private static String name(Member m) {
      return m.getName() + " (" + Long.toHexString(m.getID()) + ")";
    }
  }
}
