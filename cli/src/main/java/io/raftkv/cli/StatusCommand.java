package io.raftkv.cli;

import io.etcd.jetcd.api.Member;
import io.etcd.jetcd.api.StatusResponse;
import io.raftkv.client.RaftkvClient;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;

/**
 * One table of every member the cluster lists (not only the endpoints given): role, term, commit
 * and applied index, the leader, db size and version. A member that does not answer gets a row
 * saying so, and the exit code 1.
 */
@Command(name = "status", description = "One table of every member: role, term, indexes, leader.")
final class StatusCommand extends ClientCommand {
  private static final List<String> HEADINGS =
      List.of(
          "NAME",
          "ENDPOINT",
          "ID",
          "ROLE",
          "TERM",
          "COMMIT",
          "APPLIED",
          "LEADER",
          "DB SIZE",
          "VERSION");

  @Override
  boolean printsTable() {
    return true;
  }

  @Override
  int run(RaftkvClient client, PrintWriter out) throws Exception {
    List<Member> members = client.cluster().memberList().get().getMembersList();
    List<CompletableFuture<StatusResponse>> asked = new ArrayList<>();
    for (Member m : members) {
      asked.add(
          m.getClientURLsCount() == 0
              ? CompletableFuture.failedFuture(new IllegalStateException("no client URL"))
              : client.maintenance().status(m.getClientURLs(0)));
    }
    List<List<String>> rows = new ArrayList<>();
    List<String> json = new ArrayList<>();
    boolean allAnswered = true;
    for (int i = 0; i < members.size(); i++) {
      Member m = members.get(i);
      String endpoint = m.getClientURLsCount() == 0 ? "" : m.getClientURLs(0);
      try {
        StatusResponse s = asked.get(i).get();
        rows.add(row(m, endpoint, s));
        json.add(
            "{\"name\":\""
                + m.getName()
                + "\",\"endpoint\":\""
                + endpoint
                + "\",\"status\":"
                + Printer.json(s)
                + "}");
      } catch (Exception e) {
        allAnswered = false;
        String why = describe(e);
        rows.add(
            List.of(
                m.getName(),
                endpoint,
                Long.toHexString(m.getID()),
                "unreachable: " + why,
                "",
                "",
                "",
                "",
                "",
                ""));
        json.add(
            "{\"name\":\""
                + m.getName()
                + "\",\"endpoint\":\""
                + endpoint
                + "\",\"error\":\""
                + why.replace("\"", "'")
                + "\"}");
      }
    }
    if (options.json()) {
      out.println("[" + String.join(",", json) + "]");
    } else if (options.table()) {
      Table.print(out, HEADINGS, rows);
    } else {
      columns(out, rows);
    }
    if (!allAnswered) {
      throw new IllegalStateException("not every member answered");
    }
    return 0;
  }

  private static List<String> row(Member m, String endpoint, StatusResponse s) {
    boolean leads = s.getLeader() == s.getHeader().getMemberId();
    return List.of(
        m.getName(),
        endpoint,
        Long.toHexString(m.getID()),
        leads ? "leader" : s.getLeader() == 0 ? "no leader" : "follower",
        Long.toString(s.getRaftTerm()),
        Long.toString(s.getRaftIndex()),
        Long.toString(s.getRaftAppliedIndex()),
        Long.toHexString(s.getLeader()),
        EndpointCommand.bytes(s.getDbSize()),
        s.getVersion());
  }

  /** The simple shape: left-aligned columns two spaces apart, headings first. */
  private static void columns(PrintWriter out, List<List<String>> rows) {
    int[] widths = new int[HEADINGS.size()];
    List<List<String>> all = new ArrayList<>();
    all.add(HEADINGS);
    all.addAll(rows);
    for (List<String> row : all) {
      for (int c = 0; c < row.size(); c++) {
        widths[c] = Math.max(widths[c], row.get(c).length());
      }
    }
    for (List<String> row : all) {
      StringBuilder line = new StringBuilder();
      for (int c = 0; c < row.size(); c++) {
        line.append(c == 0 ? "" : "  ").append(String.format("%-" + widths[c] + "s", row.get(c)));
      }
      out.println(line.toString().stripTrailing());
    }
  }
}
