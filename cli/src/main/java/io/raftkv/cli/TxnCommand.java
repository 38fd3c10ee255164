package io.raftkv.cli;

import io.etcd.jetcd.api.KeyValue;
import io.etcd.jetcd.api.ResponseOp;
import io.etcd.jetcd.api.TxnRequest;
import io.etcd.jetcd.api.TxnResponse;
import io.raftkv.client.RaftkvClient;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** etcdctl's txn: the transaction read from stdin (see {@link TxnParser}), then its outcome. */
@Command(
    name = "txn",
    description =
        "Runs a transaction read from stdin: compares, then ops on success, then ops on failure,"
            + " separated by blank lines.")
final class TxnCommand extends ClientCommand {
  @Option(
      names = {"-i", "--interactive"},
      description = "prompt for each section (stdin on a terminal)")
  boolean interactive;

  @Override
  int run(RaftkvClient client, PrintWriter out) throws Exception {
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    if (interactive && Terminal.interactive()) {
      out.println(
          "compares, then success requests (get, put, del), then failure requests, each"
              + " ended by a blank line:");
      out.flush();
    }
    TxnRequest request = TxnParser.parse(in);
    TxnResponse response = client.kv().txn(request).get();
    if (options.json()) {
      out.println(Printer.json(response));
      return 0;
    }
    out.println(response.getSucceeded() ? "SUCCESS" : "FAILURE");
    for (ResponseOp op : response.getResponsesList()) {
      out.println();
      switch (op.getResponseCase()) {
        case RESPONSE_PUT -> out.println("OK");
        case RESPONSE_DELETE_RANGE -> out.println(op.getResponseDeleteRange().getDeleted());
        case RESPONSE_RANGE -> {
          for (KeyValue kv : op.getResponseRange().getKvsList()) {
            Printer.keyValue(out, kv, false);
          }
        }
        default -> out.println(Printer.json(op));
      }
    }
    return 0;
  }
}
