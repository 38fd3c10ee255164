package io.raftkv.kv;

import java.util.ArrayList;
import java.util.List;

/**
 * The log's bytes for a {@link Command}; the layout is docs/kv-command-format.md. The first byte
 * is the format version: a decoder knows every version ever written and refuses others, so an
 * old log stays readable and a new field means a new version, never a silent reinterpretation.
 */
public final class CommandCodec {
  static final int FORMAT_VERSION = 1;
  static final int TAG_PUT = 1;
  static final int TAG_RANGE = 2;
  static final int TAG_DELETE_RANGE = 3;
  static final int TAG_TXN = 4;
  static final int TAG_COMPACT = 5;
  static final int TAG_LEASE_GRANT = 6;
  static final int TAG_LEASE_REVOKE = 7;
  static final int TAG_SESSION_OPEN = 8;
  /** Nesting a decoder follows before calling the bytes hostile (the checker allows less). */
  private static final int TXN_DEPTH_MAX = 64;

  private CommandCodec() {}

  public static byte[] encode(Command command) {
    ByteWriter out = new ByteWriter(64);
    out.u8(FORMAT_VERSION);
    out.varint(command.clientId());
    out.varint(command.sequence());
    RequestCodec.write(out, command.request());
    return out.toByteArray();
  }

  /** The command in {@code bytes}; any defect is an exception naming the offset, never a crash. */
  public static Command decode(byte[] bytes) throws MalformedCommandException {
    ByteReader in = new ByteReader(bytes);
    int version = in.u8();
    if (version != FORMAT_VERSION) {
      throw in.error("format version " + version + " unknown (this build reads "
          + FORMAT_VERSION + ")");
    }
    long clientId = in.varint();
    long sequence = in.varint();
    Request request = RequestCodec.read(in, 0);
    in.expectEnd();
    return new Command(clientId, sequence, request);
  }

  /** Requests, also used inside stored responses of sessions. */
  static final class RequestCodec {
    private RequestCodec() {}

    static void write(ByteWriter out, Request request) {
      switch (request) {
        case PutRequest p -> {
          out.u8(TAG_PUT);
          out.bytes(p.key());
          out.bytes(p.value());
          out.varint(p.lease());
          out.u8((p.prevKv() ? 1 : 0) | (p.ignoreValue() ? 2 : 0) | (p.ignoreLease() ? 4 : 0));
        }
        case RangeRequest r -> writeRange(out, r);
        case DeleteRangeRequest d -> {
          out.u8(TAG_DELETE_RANGE);
          out.bytes(d.key());
          out.bytes(d.rangeEnd());
          out.bool(d.prevKv());
        }
        case TxnRequest t -> writeTxn(out, t);
        case CompactRequest c -> {
          out.u8(TAG_COMPACT);
          out.varint(c.revision());
        }
        case LeaseGrantRequest g -> {
          out.u8(TAG_LEASE_GRANT);
          out.varint(g.id());
          out.varint(g.ttlSeconds());
        }
        case LeaseRevokeRequest r -> {
          out.u8(TAG_LEASE_REVOKE);
          out.varint(r.id());
        }
        case SessionOpenRequest s -> out.u8(TAG_SESSION_OPEN);
      }
    }

    private static void writeRange(ByteWriter out, RangeRequest r) {
      out.u8(TAG_RANGE);
      out.bytes(r.key());
      out.bytes(r.rangeEnd());
      out.varint(r.limit());
      out.varint(r.revision());
      out.u8(WireEnums.code(WireEnums.SORT_ORDERS, r.sortOrder()));
      out.u8(WireEnums.code(WireEnums.SORT_TARGETS, r.sortTarget()));
      out.u8((r.keysOnly() ? 1 : 0) | (r.countOnly() ? 2 : 0));
      out.varint(r.minModRevision());
      out.varint(r.maxModRevision());
      out.varint(r.minCreateRevision());
      out.varint(r.maxCreateRevision());
    }

    private static void writeTxn(ByteWriter out, TxnRequest t) {
      out.u8(TAG_TXN);
      out.varint(t.compares().size());
      for (Compare c : t.compares()) {
        out.u8(WireEnums.code(WireEnums.COMPARE_TARGETS, c.target()));
        out.u8(WireEnums.code(WireEnums.COMPARE_RESULTS, c.result()));
        out.bytes(c.key());
        out.bytes(c.rangeEnd());
        if (c.target() == Compare.Target.VALUE) {
          out.bytes(c.value());
        } else {
          out.varint(c.number());
        }
      }
      for (List<TxnOp> branch : List.of(t.success(), t.failure())) {
        out.varint(branch.size());
        for (TxnOp op : branch) {
          write(out, op);
        }
      }
    }

    static Request read(ByteReader in, int depth) throws MalformedCommandException {
      int tag = in.u8();
      return switch (tag) {
        case TAG_PUT -> readPut(in);
        case TAG_RANGE -> readRange(in);
        case TAG_DELETE_RANGE ->
            new DeleteRangeRequest(Bytes.wrap(in.bytes()), Bytes.wrap(in.bytes()), in.bool());
        case TAG_TXN -> readTxn(in, depth);
        case TAG_COMPACT -> new CompactRequest(in.varint());
        case TAG_LEASE_GRANT -> new LeaseGrantRequest(in.varint(), in.varint());
        case TAG_LEASE_REVOKE -> new LeaseRevokeRequest(in.varint());
        case TAG_SESSION_OPEN -> new SessionOpenRequest();
        default -> throw in.error("request tag " + tag + " unknown");
      };
    }

    private static PutRequest readPut(ByteReader in) throws MalformedCommandException {
      Bytes key = Bytes.wrap(in.bytes());
      Bytes value = Bytes.wrap(in.bytes());
      long lease = in.varint();
      int flags = in.u8();
      if ((flags & ~7) != 0) {
        throw in.error("put flags " + flags + " unknown");
      }
      return new PutRequest(key, value, lease, (flags & 1) != 0, (flags & 2) != 0,
          (flags & 4) != 0);
    }

    private static RangeRequest readRange(ByteReader in) throws MalformedCommandException {
      Bytes key = Bytes.wrap(in.bytes());
      Bytes end = Bytes.wrap(in.bytes());
      long limit = in.varint();
      long revision = in.varint();
      var order = in.enumValue(WireEnums.SORT_ORDERS, "sort order");
      var target = in.enumValue(WireEnums.SORT_TARGETS, "sort target");
      int flags = in.u8();
      if ((flags & ~3) != 0) {
        throw in.error("range flags " + flags + " unknown");
      }
      return new RangeRequest(key, end, limit, revision, order, target, (flags & 1) != 0,
          (flags & 2) != 0, in.varint(), in.varint(), in.varint(), in.varint());
    }

    private static TxnRequest readTxn(ByteReader in, int depth)
        throws MalformedCommandException {
      if (depth >= TXN_DEPTH_MAX) {
        throw in.error("txn nested deeper than " + TXN_DEPTH_MAX);
      }
      // Every element takes at least one byte: counts beyond what is left are garbage.
      int compareCount = in.count(in.remaining(), "compare count");
      List<Compare> compares = new ArrayList<>(compareCount);
      for (int i = 0; i < compareCount; i++) {
        var target = in.enumValue(WireEnums.COMPARE_TARGETS, "compare target");
        var result = in.enumValue(WireEnums.COMPARE_RESULTS, "compare result");
        Bytes key = Bytes.wrap(in.bytes());
        Bytes end = Bytes.wrap(in.bytes());
        compares.add(target == Compare.Target.VALUE
            ? new Compare(target, result, key, end, 0, Bytes.wrap(in.bytes()))
            : new Compare(target, result, key, end, in.varint(), Bytes.empty()));
      }
      List<TxnOp> success = readBranch(in, depth);
      List<TxnOp> failure = readBranch(in, depth);
      return new TxnRequest(compares, success, failure);
    }

    private static List<TxnOp> readBranch(ByteReader in, int depth)
        throws MalformedCommandException {
      int count = in.count(in.remaining(), "op count");
      List<TxnOp> ops = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        int at = in.offset();
        Request op = read(in, depth + 1);
        if (!(op instanceof TxnOp txnOp)) {
          throw new MalformedCommandException("request at offset " + at
              + " cannot be a txn op: " + op.getClass().getSimpleName());
        }
        ops.add(txnOp);
      }
      return ops;
    }
  }
}
