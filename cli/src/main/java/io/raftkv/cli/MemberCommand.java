package io.raftkv.cli;

import io.etcd.jetcd.api.Member;
import io.etcd.jetcd.api.MemberListResponse;
import io.raftkv.client.RaftkvClient;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** etcdctl's member list (membership changes are not served yet). */
@Command(
    name = "member",
    description = "Lists the cluster's members.",
    subcommands = {MemberCommand.ListMembers.class})
final class MemberCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a member subcommand is required");
  }

  @Command(
      name = "list",
      description = "Lists every member: id, status, name, peer and client URLs.")
  static final class ListMembers extends ClientCommand {
    private static final List<String> HEADINGS =
        List.of("ID", "STATUS", "NAME", "PEER ADDRS", "CLIENT ADDRS", "IS LEARNER");

    @Override
    boolean printsTable() {
      return true;
    }

    @Override
    int run(RaftkvClient client, PrintWriter out) throws Exception {
      MemberListResponse response = client.cluster().memberList().get();
      if (options.json()) {
        out.println(Printer.json(response));
        return 0;
      }
      List<List<String>> rows = new ArrayList<>();
      for (Member m : response.getMembersList()) {
        rows.add(
            List.of(
                Long.toHexString(m.getID()),
                m.getName().isEmpty() ? "unstarted" : "started",
                m.getName(),
                String.join(",", m.getPeerURLsList()),
                String.join(",", m.getClientURLsList()),
                Boolean.toString(m.getIsLearner())));
      }
      if (options.table()) {
        Table.print(out, HEADINGS, rows);
      } else {
        rows.forEach(row -> out.println(String.join(", ", row)));
      }
      return 0;
    }
  }
}
