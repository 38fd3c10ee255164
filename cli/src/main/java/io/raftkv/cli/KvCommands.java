package io.raftkv.cli;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.DeleteRangeRequest;
import io.etcd.jetcd.api.DeleteRangeResponse;
import io.etcd.jetcd.api.KeyValue;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.PutResponse;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.RangeResponse;
import io.raftkv.client.RaftkvClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** etcdctl's put, get, del and compact, with its output shapes. */
final class KvCommands {
  /** A value read from stdin beyond this is refused before anything is sent. */
  static final int STDIN_VALUE_BYTES_MAX = 16 * 1024 * 1024;

  private KvCommands() {}

  @Command(name = "put", description = "Puts KEY=VALUE (VALUE from stdin when omitted).")
  static final class Put extends ClientCommand {
    @Parameters(index = "0", paramLabel = "KEY")
    String key;

    @Parameters(index = "1", arity = "0..1", paramLabel = "VALUE")
    String value;

    @Option(names = "--prev-kv", description = "print the previous key-value")
    boolean prevKv;

    @Option(names = "--lease", paramLabel = "ID", description = "attach the key to lease ID (hex)")
    String lease;

    @Override
    int run(RaftkvClient client, PrintWriter out) throws Exception {
      ByteString bytes = value != null ? ByteString.copyFromUtf8(value) : stdin(System.in);
      PutRequest.Builder request =
          PutRequest.newBuilder()
              .setKey(ByteString.copyFromUtf8(key))
              .setValue(bytes)
              .setPrevKv(prevKv);
      if (lease != null) {
        request.setLease(Printer.parseLeaseId(lease));
      }
      PutResponse response = client.kv().put(request.build()).get();
      if (options.json()) {
        out.println(Printer.json(response));
        return 0;
      }
      out.println("OK");
      if (prevKv && response.hasPrevKv()) {
        Printer.keyValue(out, response.getPrevKv(), false);
      }
      return 0;
    }
  }

  static ByteString stdin(InputStream in) throws IOException {
    byte[] value = in.readNBytes(STDIN_VALUE_BYTES_MAX + 1);
    if (value.length > STDIN_VALUE_BYTES_MAX) {
      throw new IllegalArgumentException(
          "the value on stdin is larger than " + STDIN_VALUE_BYTES_MAX + " bytes");
    }
    return ByteString.copyFrom(value);
  }

  @Command(name = "get", description = "Gets a key or a range of keys.")
  static final class Get extends ClientCommand {
    @Mixin KeyRangeOptions range;

    @Option(names = "--limit", description = "at most this many keys")
    long limit;

    @Option(names = "--rev", description = "as of this revision")
    long revision;

    @Option(
        names = "--consistency",
        defaultValue = "l",
        description = "l (linearizable) or s (serializable)")
    String consistency;

    @Option(names = "--print-value-only", description = "values only")
    boolean valueOnly;

    @Option(names = "--keys-only", description = "keys only")
    boolean keysOnly;

    @Override
    boolean printsTable() {
      return true;
    }

    @Override
    int run(RaftkvClient client, PrintWriter out) throws Exception {
      if (!consistency.equals("l") && !consistency.equals("s")) {
        throw new IllegalArgumentException("unknown consistency flag '" + consistency + "'");
      }
      RangeRequest request =
          RangeRequest.newBuilder()
              .setKey(range.key())
              .setRangeEnd(range.rangeEnd())
              .setLimit(limit)
              .setRevision(revision)
              .setSerializable(consistency.equals("s"))
              .setKeysOnly(keysOnly)
              .build();
      RangeResponse response = client.kv().get(request).get();
      if (options.json()) {
        out.println(Printer.json(response));
        return 0;
      }
      if (options.table()) {
        table(out, response);
        return 0;
      }
      for (KeyValue kv : response.getKvsList()) {
        if (keysOnly) {
          out.println(kv.getKey().toStringUtf8());
        } else {
          Printer.keyValue(out, kv, valueOnly);
        }
      }
      return 0;
    }
  }

  /**
   * etcdctl 3.4 has no table for get ("table not supported as output format"); this one has a row
   * per key in etcd's KeyValue field order.
   */
  private static void table(PrintWriter out, RangeResponse response) {
    List<List<String>> rows = new ArrayList<>();
    for (KeyValue kv : response.getKvsList()) {
      rows.add(
          List.of(
              kv.getKey().toStringUtf8(),
              kv.getValue().toStringUtf8(),
              Long.toString(kv.getCreateRevision()),
              Long.toString(kv.getModRevision()),
              Long.toString(kv.getVersion()),
              kv.getLease() == 0 ? "" : Printer.leaseId(kv.getLease())));
    }
    Table.print(
        out, List.of("KEY", "VALUE", "CREATE REVISION", "MOD REVISION", "VERSION", "LEASE"), rows);
  }

  @Command(name = "del", description = "Deletes a key or a range of keys; prints how many.")
  static final class Del extends ClientCommand {
    @Mixin KeyRangeOptions range;

    @Option(names = "--prev-kv", description = "print the deleted key-values")
    boolean prevKv;

    @Override
    int run(RaftkvClient client, PrintWriter out) throws Exception {
      DeleteRangeRequest request =
          DeleteRangeRequest.newBuilder()
              .setKey(range.key())
              .setRangeEnd(range.rangeEnd())
              .setPrevKv(prevKv)
              .build();
      DeleteRangeResponse response = client.kv().delete(request).get();
      if (options.json()) {
        out.println(Printer.json(response));
        return 0;
      }
      out.println(response.getDeleted());
      for (KeyValue kv : response.getPrevKvsList()) {
        Printer.keyValue(out, kv, false);
      }
      return 0;
    }
  }

  @Command(name = "compact", description = "Discards the history before REVISION.")
  static final class Compact extends ClientCommand {
    @Parameters(index = "0", paramLabel = "REVISION")
    long revision;

    @Override
    int run(RaftkvClient client, PrintWriter out) throws Exception {
      var response = client.kv().compact(revision).get();
      out.println(options.json() ? Printer.json(response) : "compacted revision " + revision);
      return 0;
    }
  }
}
