package io.raftkv.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import io.etcd.jetcd.api.KeyValue;
import java.io.PrintWriter;

/** etcdctl's output shapes: simple lines, or the response as one line of JSON. */
final class Printer {
  /** Proto field names (etcd's JSON uses them), every field, on one line. */
  private static final JsonFormat.Printer JSON =
      JsonFormat.printer()
          .preservingProtoFieldNames()
          .alwaysPrintFieldsWithNoPresence()
          .omittingInsignificantWhitespace();

  private Printer() {}

  static String json(MessageOrBuilder message) {
    try {
      return JSON.print(message);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("etcd's messages always print as JSON", e);
    }
  }

  static void keyValue(PrintWriter out, KeyValue kv, boolean valueOnly) {
    if (!valueOnly) {
      out.println(kv.getKey().toStringUtf8());
    }
    out.println(kv.getValue().toStringUtf8());
  }

  /** etcdctl's {@code %016x}. */
  static String leaseId(long id) {
    return String.format("%016x", id);
  }

  /** Lease ids are written in hex, as etcdctl prints them. */
  static long parseLeaseId(String hex) {
    try {
      return Long.parseUnsignedLong(hex, 16);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "bad lease ID '" + hex + "': expected hex, as printed by lease grant");
    }
  }
}
