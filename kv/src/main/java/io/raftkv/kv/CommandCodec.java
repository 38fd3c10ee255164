package io.raftkv.kv;

import com.google.protobuf.ByteOutput;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import com.google.protobuf.WireFormat;
import io.raftkv.kv.proto.RequestOp;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The log's bytes for a {@link Command}: the protobuf message {@code raftkv.kv.v1.Command}
 * (kv/src/main/proto/raftkv/kv/command.proto, docs/kv-command-format.md). The only place that maps
 * kv's records to and from the generated messages, so that the records stay free of protobuf and
 * the wire's compatibility rules are kept in one file.
 *
 * <p>Decoding checks what the records cannot express: exactly one request, known enum values, an
 * operand matching a compare's target, bounded nesting. Semantic limits (request bytes, txn ops,
 * {@link KvLimits#txnDepthMax}, negative limits or lease ids ...) are the apply path's {@link
 * RequestChecker}, which answers them with etcd's typed errors on every replica alike.
 */
public final class CommandCodec {
  /** Txn nesting a decoder follows before calling the bytes hostile (the checker allows less). */
  static final int TXN_DEPTH_MAX = 64;

  /**
   * Protobuf's own nesting bound for the parser's recursion: each txn level is two messages
   * (TxnRequest, RequestOp), plus the Command and a leaf request. Deeper input fails inside the
   * parser, before it can exhaust the stack.
   */
  static final int MESSAGE_DEPTH_MAX = 2 * TXN_DEPTH_MAX + 3;

  private CommandCodec() {}

  public static byte[] encode(Command command) {
    io.raftkv.kv.proto.Command.Builder out =
        io.raftkv.kv.proto.Command.newBuilder()
            .setClientId(command.clientId())
            .setSequence(command.sequence());
    switch (command.request()) {
      case PutRequest p -> out.setPut(put(p));
      case RangeRequest r -> out.setRange(range(r));
      case DeleteRangeRequest d -> out.setDeleteRange(deleteRange(d));
      case TxnRequest t -> out.setTxn(txn(t));
      case CompactRequest c ->
          out.setCompact(io.raftkv.kv.proto.CompactRequest.newBuilder().setRevision(c.revision()));
      case LeaseGrantRequest g ->
          out.setLeaseGrant(
              io.raftkv.kv.proto.LeaseGrantRequest.newBuilder()
                  .setId(g.id())
                  .setTtlSeconds(g.ttlSeconds()));
      case LeaseRevokeRequest r ->
          out.setLeaseRevoke(io.raftkv.kv.proto.LeaseRevokeRequest.newBuilder().setId(r.id()));
      case SessionOpenRequest s ->
          out.setSessionOpen(io.raftkv.kv.proto.SessionOpenRequest.getDefaultInstance());
    }
    return out.build().toByteArray();
  }

  /**
   * The command in {@code bytes}. Any defect is an exception saying where: the byte offset for
   * bytes that are not protobuf, the field path for protobuf that is not a command. Never a crash,
   * never part of a command.
   */
  public static Command decode(byte[] bytes) throws MalformedCommandException {
    Command put = decodePut(bytes);
    return put != null ? put : decodeMessage(bytes);
  }

  /** Any command, through the generated parser; {@link #decode} takes a shortcut for puts. */
  static Command decodeMessage(byte[] bytes) throws MalformedCommandException {
    // Without aliasing the parser copies each bytes field once into an array of its own, which
    // bytes() below then hands to Bytes without a second copy.
    CodedInputStream in = CodedInputStream.newInstance(bytes);
    in.setRecursionLimit(MESSAGE_DEPTH_MAX);
    io.raftkv.kv.proto.Command message;
    try {
      message = io.raftkv.kv.proto.Command.parseFrom(in);
      // A stray end-group tag stops the parser early; the rest would be silently ignored.
      in.checkLastTagWas(0);
    } catch (InvalidProtocolBufferException e) {
      throw new MalformedCommandException(
          "malformed command at offset "
              + in.getTotalBytesRead()
              + " of "
              + bytes.length
              + ": "
              + e.getMessage());
    } catch (IOException e) {
      throw new InvariantViolation("reading a byte array threw " + e);
    }
    try {
      return new Command(message.getClientId(), message.getSequence(), request(message));
    } catch (MalformedCommandException e) {
      throw new MalformedCommandException("malformed command at " + e.getMessage());
    }
  }

  private static final int VARINT = WireFormat.WIRETYPE_VARINT;
  private static final int DELIMITED = WireFormat.WIRETYPE_LENGTH_DELIMITED;
  private static final int CLIENT_ID_TAG =
      tag(io.raftkv.kv.proto.Command.CLIENT_ID_FIELD_NUMBER, VARINT);
  private static final int SEQUENCE_TAG =
      tag(io.raftkv.kv.proto.Command.SEQUENCE_FIELD_NUMBER, VARINT);
  private static final int PUT_TAG = tag(io.raftkv.kv.proto.Command.PUT_FIELD_NUMBER, DELIMITED);
  private static final int KEY_TAG = tag(io.raftkv.kv.proto.PutRequest.KEY_FIELD_NUMBER, DELIMITED);
  private static final int VALUE_TAG =
      tag(io.raftkv.kv.proto.PutRequest.VALUE_FIELD_NUMBER, DELIMITED);
  private static final int LEASE_TAG =
      tag(io.raftkv.kv.proto.PutRequest.LEASE_FIELD_NUMBER, VARINT);
  private static final int PREV_KV_TAG =
      tag(io.raftkv.kv.proto.PutRequest.PREV_KV_FIELD_NUMBER, VARINT);
  private static final int IGNORE_VALUE_TAG =
      tag(io.raftkv.kv.proto.PutRequest.IGNORE_VALUE_FIELD_NUMBER, VARINT);
  private static final int IGNORE_LEASE_TAG =
      tag(io.raftkv.kv.proto.PutRequest.IGNORE_LEASE_FIELD_NUMBER, VARINT);

  private static int tag(int fieldNumber, int wireType) {
    return fieldNumber << 3 | wireType;
  }

  /**
   * The apply path's common case, a plain put, read straight off the wire with protobuf's own
   * reader. The generated parser makes two builders and two messages per entry: that took a put's
   * allocation from 505 to 865 bytes in JMH, and at 1M keys, where the collector is most of a put's
   * cost, cost a third of the puts/s. Only the canonical encoding (what {@link #encode} writes) is
   * taken: every field at most once and in field-number order, nothing unknown, the put last.
   * Anything else, and any defect, is null and goes to the generated parser, which decides and
   * words the error; so the two agree on every input this accepts
   * (CommandCodecTest.theShortcutAgreesWithTheGeneratedParser).
   */
  static Command decodePut(byte[] bytes) {
    try {
      CodedInputStream in = CodedInputStream.newInstance(bytes);
      long clientId = 0;
      long sequence = 0;
      int tag = in.readTag();
      if (tag == CLIENT_ID_TAG) {
        clientId = in.readUInt64();
        tag = in.readTag();
      }
      if (tag == SEQUENCE_TAG) {
        sequence = in.readUInt64();
        tag = in.readTag();
      }
      if (tag != PUT_TAG) {
        return null;
      }
      int outer = in.pushLimit(in.readRawVarint32());
      byte[] key = NO_BYTES;
      byte[] value = NO_BYTES;
      long lease = 0;
      boolean prevKv = false;
      boolean ignoreValue = false;
      boolean ignoreLease = false;
      tag = in.readTag();
      if (tag == KEY_TAG) {
        key = in.readByteArray();
        tag = in.readTag();
      }
      if (tag == VALUE_TAG) {
        value = in.readByteArray();
        tag = in.readTag();
      }
      if (tag == LEASE_TAG) {
        lease = in.readInt64();
        tag = in.readTag();
      }
      if (tag == PREV_KV_TAG) {
        prevKv = in.readBool();
        tag = in.readTag();
      }
      if (tag == IGNORE_VALUE_TAG) {
        ignoreValue = in.readBool();
        tag = in.readTag();
      }
      if (tag == IGNORE_LEASE_TAG) {
        ignoreLease = in.readBool();
        tag = in.readTag();
      }
      if (tag != 0) {
        return null;
      }
      in.popLimit(outer);
      if (!in.isAtEnd()) {
        return null;
      }
      return new Command(
          clientId,
          sequence,
          new PutRequest(
              Bytes.wrap(key), Bytes.wrap(value), lease, prevKv, ignoreValue, ignoreLease));
    } catch (IOException e) {
      return null;
    }
  }

  private static final byte[] NO_BYTES = {};

  private static ByteString bytes(Bytes value) {
    // Bytes is immutable and the message lives only until toByteArray(): no copy needed.
    return UnsafeByteOperations.unsafeWrap(value.array());
  }

  /**
   * The array behind {@code value}, which the parser filled for this message alone (decode never
   * aliases the entry) and nothing writes again: handing it over saves a copy of every key and
   * value on the apply path.
   */
  private static Bytes bytes(ByteString value) {
    if (value.isEmpty()) {
      return Bytes.empty();
    }
    ArrayCapture capture = new ArrayCapture();
    try {
      UnsafeByteOperations.unsafeWriteTo(value, capture);
    } catch (IOException e) {
      throw new InvariantViolation("capturing a byte string threw " + e);
    }
    return Bytes.wrap(capture.whole != null ? capture.whole : value.toByteArray());
  }

  /** Keeps the array a ByteString writes in one piece; anything else falls back to a copy. */
  private static final class ArrayCapture extends ByteOutput {
    byte[] whole;
    private int pieces;

    @Override
    public void writeLazy(byte[] value, int offset, int length) {
      whole = ++pieces == 1 && offset == 0 && length == value.length ? value : null;
    }

    @Override
    public void write(byte[] value, int offset, int length) {
      pieces++;
      whole = null;
    }

    @Override
    public void write(byte value) {
      pieces++;
      whole = null;
    }

    @Override
    public void write(ByteBuffer value) {
      pieces++;
      whole = null;
    }

    @Override
    public void writeLazy(ByteBuffer value) {
      pieces++;
      whole = null;
    }
  }

  private static io.raftkv.kv.proto.PutRequest put(PutRequest p) {
    return io.raftkv.kv.proto.PutRequest.newBuilder()
        .setKey(bytes(p.key()))
        .setValue(bytes(p.value()))
        .setLease(p.lease())
        .setPrevKv(p.prevKv())
        .setIgnoreValue(p.ignoreValue())
        .setIgnoreLease(p.ignoreLease())
        .build();
  }

  private static io.raftkv.kv.proto.RangeRequest range(RangeRequest r) {
    return io.raftkv.kv.proto.RangeRequest.newBuilder()
        .setKey(bytes(r.key()))
        .setRangeEnd(bytes(r.rangeEnd()))
        .setLimit(r.limit())
        .setRevision(r.revision())
        .setSortOrder(
            switch (r.sortOrder()) {
              case NONE -> io.raftkv.kv.proto.RangeRequest.SortOrder.NONE;
              case ASCEND -> io.raftkv.kv.proto.RangeRequest.SortOrder.ASCEND;
              case DESCEND -> io.raftkv.kv.proto.RangeRequest.SortOrder.DESCEND;
            })
        .setSortTarget(
            switch (r.sortTarget()) {
              case KEY -> io.raftkv.kv.proto.RangeRequest.SortTarget.KEY;
              case VERSION -> io.raftkv.kv.proto.RangeRequest.SortTarget.VERSION;
              case CREATE -> io.raftkv.kv.proto.RangeRequest.SortTarget.CREATE;
              case MOD -> io.raftkv.kv.proto.RangeRequest.SortTarget.MOD;
              case VALUE -> io.raftkv.kv.proto.RangeRequest.SortTarget.VALUE;
            })
        .setKeysOnly(r.keysOnly())
        .setCountOnly(r.countOnly())
        .setMinModRevision(r.minModRevision())
        .setMaxModRevision(r.maxModRevision())
        .setMinCreateRevision(r.minCreateRevision())
        .setMaxCreateRevision(r.maxCreateRevision())
        .build();
  }

  private static io.raftkv.kv.proto.DeleteRangeRequest deleteRange(DeleteRangeRequest d) {
    return io.raftkv.kv.proto.DeleteRangeRequest.newBuilder()
        .setKey(bytes(d.key()))
        .setRangeEnd(bytes(d.rangeEnd()))
        .setPrevKv(d.prevKv())
        .build();
  }

  private static io.raftkv.kv.proto.TxnRequest txn(TxnRequest t) {
    io.raftkv.kv.proto.TxnRequest.Builder out = io.raftkv.kv.proto.TxnRequest.newBuilder();
    for (Compare c : t.compares()) {
      out.addCompare(compare(c));
    }
    for (TxnOp op : t.success()) {
      out.addSuccess(op(op));
    }
    for (TxnOp op : t.failure()) {
      out.addFailure(op(op));
    }
    return out.build();
  }

  private static io.raftkv.kv.proto.Compare compare(Compare c) {
    io.raftkv.kv.proto.Compare.Builder out =
        io.raftkv.kv.proto.Compare.newBuilder()
            .setKey(bytes(c.key()))
            .setRangeEnd(bytes(c.rangeEnd()))
            .setResult(
                switch (c.result()) {
                  case EQUAL -> io.raftkv.kv.proto.Compare.CompareResult.EQUAL;
                  case GREATER -> io.raftkv.kv.proto.Compare.CompareResult.GREATER;
                  case LESS -> io.raftkv.kv.proto.Compare.CompareResult.LESS;
                  case NOT_EQUAL -> io.raftkv.kv.proto.Compare.CompareResult.NOT_EQUAL;
                });
    // The operand field that matches the target, as etcd's target_union.
    return switch (c.target()) {
      case VERSION ->
          out.setTarget(io.raftkv.kv.proto.Compare.CompareTarget.VERSION)
              .setVersion(c.number())
              .build();
      case CREATE ->
          out.setTarget(io.raftkv.kv.proto.Compare.CompareTarget.CREATE)
              .setCreateRevision(c.number())
              .build();
      case MOD ->
          out.setTarget(io.raftkv.kv.proto.Compare.CompareTarget.MOD)
              .setModRevision(c.number())
              .build();
      case VALUE ->
          out.setTarget(io.raftkv.kv.proto.Compare.CompareTarget.VALUE)
              .setValue(bytes(c.value()))
              .build();
      case LEASE ->
          out.setTarget(io.raftkv.kv.proto.Compare.CompareTarget.LEASE)
              .setLease(c.number())
              .build();
    };
  }

  private static RequestOp op(TxnOp op) {
    return switch (op) {
      case PutRequest p -> RequestOp.newBuilder().setPut(put(p)).build();
      case RangeRequest r -> RequestOp.newBuilder().setRange(range(r)).build();
      case DeleteRangeRequest d -> RequestOp.newBuilder().setDeleteRange(deleteRange(d)).build();
      case TxnRequest t -> RequestOp.newBuilder().setTxn(txn(t)).build();
    };
  }

  // Decoding. Errors carry the field path ("txn.success[2].range.sort_order: ..."); each
  // level that knows a path step prepends it.

  private static Request request(io.raftkv.kv.proto.Command m) throws MalformedCommandException {
    return switch (m.getRequestCase()) {
      case PUT -> put(m.getPut());
      case RANGE -> range(m.getRange(), "range");
      case DELETE_RANGE -> deleteRange(m.getDeleteRange());
      case TXN -> txn(m.getTxn(), 0, "txn");
      case COMPACT -> new CompactRequest(m.getCompact().getRevision());
      case LEASE_GRANT ->
          new LeaseGrantRequest(m.getLeaseGrant().getId(), m.getLeaseGrant().getTtlSeconds());
      case LEASE_REVOKE -> new LeaseRevokeRequest(m.getLeaseRevoke().getId());
      case SESSION_OPEN -> new SessionOpenRequest();
      case REQUEST_NOT_SET ->
          throw new MalformedCommandException(
              "request: none set" + unknownFields(m.getUnknownFields()));
    };
  }

  /** A newer writer's request kind arrives as an unknown field: name it. */
  private static String unknownFields(com.google.protobuf.UnknownFieldSet unknown) {
    return unknown.asMap().isEmpty()
        ? ""
        : " (unknown fields "
            + unknown.asMap().keySet()
            + ": a request kind this build does"
            + " not know?)";
  }

  private static PutRequest put(io.raftkv.kv.proto.PutRequest m) {
    return new PutRequest(
        bytes(m.getKey()),
        bytes(m.getValue()),
        m.getLease(),
        m.getPrevKv(),
        m.getIgnoreValue(),
        m.getIgnoreLease());
  }

  private static RangeRequest range(io.raftkv.kv.proto.RangeRequest m, String path)
      throws MalformedCommandException {
    RangeRequest.SortOrder order =
        switch (m.getSortOrder()) {
          case NONE -> RangeRequest.SortOrder.NONE;
          case ASCEND -> RangeRequest.SortOrder.ASCEND;
          case DESCEND -> RangeRequest.SortOrder.DESCEND;
          case UNRECOGNIZED -> throw unknownEnum(path + ".sort_order", m.getSortOrderValue());
        };
    RangeRequest.SortTarget target =
        switch (m.getSortTarget()) {
          case KEY -> RangeRequest.SortTarget.KEY;
          case VERSION -> RangeRequest.SortTarget.VERSION;
          case CREATE -> RangeRequest.SortTarget.CREATE;
          case MOD -> RangeRequest.SortTarget.MOD;
          case VALUE -> RangeRequest.SortTarget.VALUE;
          case UNRECOGNIZED -> throw unknownEnum(path + ".sort_target", m.getSortTargetValue());
        };
    return new RangeRequest(
        bytes(m.getKey()),
        bytes(m.getRangeEnd()),
        m.getLimit(),
        m.getRevision(),
        order,
        target,
        m.getKeysOnly(),
        m.getCountOnly(),
        m.getMinModRevision(),
        m.getMaxModRevision(),
        m.getMinCreateRevision(),
        m.getMaxCreateRevision());
  }

  private static DeleteRangeRequest deleteRange(io.raftkv.kv.proto.DeleteRangeRequest m) {
    return new DeleteRangeRequest(bytes(m.getKey()), bytes(m.getRangeEnd()), m.getPrevKv());
  }

  private static TxnRequest txn(io.raftkv.kv.proto.TxnRequest m, int depth, String path)
      throws MalformedCommandException {
    if (depth >= TXN_DEPTH_MAX) {
      throw new MalformedCommandException(path + ": txn nested deeper than " + TXN_DEPTH_MAX);
    }
    // Lists are as long as what the parser found in the entry: bounded by its bytes.
    List<Compare> compares = new ArrayList<>(m.getCompareCount());
    for (int i = 0; i < m.getCompareCount(); i++) {
      compares.add(compare(m.getCompare(i), path + ".compare[" + i + "]"));
    }
    List<TxnOp> success = branch(m.getSuccessList(), depth, path + ".success");
    List<TxnOp> failure = branch(m.getFailureList(), depth, path + ".failure");
    return new TxnRequest(compares, success, failure);
  }

  private static List<TxnOp> branch(List<RequestOp> ops, int depth, String path)
      throws MalformedCommandException {
    List<TxnOp> out = new ArrayList<>(ops.size());
    for (int i = 0; i < ops.size(); i++) {
      RequestOp op = ops.get(i);
      String at = path + "[" + i + "]";
      out.add(
          switch (op.getRequestCase()) {
            case PUT -> put(op.getPut());
            case RANGE -> range(op.getRange(), at + ".range");
            case DELETE_RANGE -> deleteRange(op.getDeleteRange());
            case TXN -> txn(op.getTxn(), depth + 1, at + ".txn");
            case REQUEST_NOT_SET ->
                throw new MalformedCommandException(
                    at + ": no request set" + unknownFields(op.getUnknownFields()));
          });
    }
    return out;
  }

  private static Compare compare(io.raftkv.kv.proto.Compare m, String path)
      throws MalformedCommandException {
    Compare.Result result =
        switch (m.getResult()) {
          case EQUAL -> Compare.Result.EQUAL;
          case GREATER -> Compare.Result.GREATER;
          case LESS -> Compare.Result.LESS;
          case NOT_EQUAL -> Compare.Result.NOT_EQUAL;
          case UNRECOGNIZED -> throw unknownEnum(path + ".result", m.getResultValue());
        };
    io.raftkv.kv.proto.Compare.TargetUnionCase operand = m.getTargetUnionCase();
    Compare.Target target =
        switch (m.getTarget()) {
          case VERSION ->
              operandOf(
                  Compare.Target.VERSION,
                  operand,
                  io.raftkv.kv.proto.Compare.TargetUnionCase.VERSION,
                  path);
          case CREATE ->
              operandOf(
                  Compare.Target.CREATE,
                  operand,
                  io.raftkv.kv.proto.Compare.TargetUnionCase.CREATE_REVISION,
                  path);
          case MOD ->
              operandOf(
                  Compare.Target.MOD,
                  operand,
                  io.raftkv.kv.proto.Compare.TargetUnionCase.MOD_REVISION,
                  path);
          case VALUE ->
              operandOf(
                  Compare.Target.VALUE,
                  operand,
                  io.raftkv.kv.proto.Compare.TargetUnionCase.VALUE,
                  path);
          case LEASE ->
              operandOf(
                  Compare.Target.LEASE,
                  operand,
                  io.raftkv.kv.proto.Compare.TargetUnionCase.LEASE,
                  path);
          case UNRECOGNIZED -> throw unknownEnum(path + ".target", m.getTargetValue());
        };
    Bytes key = bytes(m.getKey());
    Bytes end = bytes(m.getRangeEnd());
    return switch (target) {
      case VERSION -> new Compare(target, result, key, end, m.getVersion(), Bytes.empty());
      case CREATE -> new Compare(target, result, key, end, m.getCreateRevision(), Bytes.empty());
      case MOD -> new Compare(target, result, key, end, m.getModRevision(), Bytes.empty());
      case VALUE -> new Compare(target, result, key, end, 0, bytes(m.getValue()));
      case LEASE -> new Compare(target, result, key, end, m.getLease(), Bytes.empty());
    };
  }

  /** {@code target} if the operand set is the one it compares against. */
  private static Compare.Target operandOf(
      Compare.Target target,
      io.raftkv.kv.proto.Compare.TargetUnionCase found,
      io.raftkv.kv.proto.Compare.TargetUnionCase expected,
      String path)
      throws MalformedCommandException {
    if (found != expected) {
      throw new MalformedCommandException(
          path
              + ".target_union: target "
              + target
              + " needs operand "
              + expected
              + ", found "
              + found);
    }
    return target;
  }

  private static MalformedCommandException unknownEnum(String path, int value) {
    return new MalformedCommandException(path + ": value " + value + " unknown");
  }
}
