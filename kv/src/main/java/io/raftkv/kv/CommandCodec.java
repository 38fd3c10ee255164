package io.raftkv.kv;

import static io.raftkv.kv.ProtoBytes.bytes;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.raftkv.kv.proto.CommandProto;
import io.raftkv.kv.proto.CompactRequestProto;
import io.raftkv.kv.proto.CompareProto;
import io.raftkv.kv.proto.DeleteRangeRequestProto;
import io.raftkv.kv.proto.LeaseGrantRequestProto;
import io.raftkv.kv.proto.LeaseRevokeRequestProto;
import io.raftkv.kv.proto.PutRequestProto;
import io.raftkv.kv.proto.RangeRequestProto;
import io.raftkv.kv.proto.RequestOpProto;
import io.raftkv.kv.proto.SessionOpenRequestProto;
import io.raftkv.kv.proto.TxnRequestProto;
import java.io.IOException;

/**
 * The log's bytes for a {@link Command}: the protobuf message {@code raftkv.kv.v1.CommandProto}
 * (kv/src/main/proto/raftkv/kv/command.proto, docs/kv-command-format.md). With its package-private
 * helpers ({@link RequestDecoder}, {@link CanonicalPutDecoder}, {@link ProtoBytes}) the only place
 * that maps kv's records to and from the generated messages, so that the records stay free of
 * protobuf and the wire's compatibility rules are kept in one place. This class encodes; decoding
 * parses here and maps in {@link RequestDecoder}, except for a plain put's shortcut.
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
   * (TxnRequestProto, RequestOpProto), plus the CommandProto and a leaf request. Deeper input fails
   * inside the parser, before it can exhaust the stack.
   */
  static final int MESSAGE_DEPTH_MAX = 2 * TXN_DEPTH_MAX + 3;

  private CommandCodec() {}

  public static byte[] encode(Command command) {
    CommandProto.Builder out =
        CommandProto.newBuilder().setClientId(command.clientId()).setSequence(command.sequence());
    switch (command.request()) {
      case PutRequest p -> out.setPut(put(p));
      case RangeRequest r -> out.setRange(range(r));
      case DeleteRangeRequest d -> out.setDeleteRange(deleteRange(d));
      case TxnRequest t -> out.setTxn(txn(t));
      case CompactRequest c ->
          out.setCompact(CompactRequestProto.newBuilder().setRevision(c.revision()));
      case LeaseGrantRequest g ->
          out.setLeaseGrant(
              LeaseGrantRequestProto.newBuilder().setId(g.id()).setTtlSeconds(g.ttlSeconds()));
      case LeaseRevokeRequest r ->
          out.setLeaseRevoke(LeaseRevokeRequestProto.newBuilder().setId(r.id()));
      case SessionOpenRequest s -> out.setSessionOpen(SessionOpenRequestProto.getDefaultInstance());
    }
    return out.build().toByteArray();
  }

  /**
   * The command in {@code bytes}. Any defect is an exception saying where: the byte offset for
   * bytes that are not protobuf, the field path for protobuf that is not a command. Never a crash,
   * never part of a command.
   */
  public static Command decode(byte[] bytes) throws MalformedCommandException {
    Command put = CanonicalPutDecoder.decode(bytes);
    return put != null ? put : decodeMessage(bytes);
  }

  /** Any command, through the generated parser; {@link #decode} takes a shortcut for puts. */
  static Command decodeMessage(byte[] bytes) throws MalformedCommandException {
    // Without aliasing the parser copies each bytes field once into an array of its own, which
    // bytes() below then hands to Bytes without a second copy.
    CodedInputStream in = CodedInputStream.newInstance(bytes);
    in.setRecursionLimit(MESSAGE_DEPTH_MAX);
    CommandProto message;
    try {
      message = CommandProto.parseFrom(in);
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
      return new Command(
          message.getClientId(), message.getSequence(), RequestDecoder.request(message));
    } catch (MalformedCommandException e) {
      throw new MalformedCommandException("malformed command at " + e.getMessage());
    }
  }

  private static PutRequestProto put(PutRequest p) {
    return PutRequestProto.newBuilder()
        .setKey(bytes(p.key()))
        .setValue(bytes(p.value()))
        .setLease(p.lease())
        .setPrevKv(p.prevKv())
        .setIgnoreValue(p.ignoreValue())
        .setIgnoreLease(p.ignoreLease())
        .build();
  }

  private static RangeRequestProto range(RangeRequest r) {
    return RangeRequestProto.newBuilder()
        .setKey(bytes(r.key()))
        .setRangeEnd(bytes(r.rangeEnd()))
        .setLimit(r.limit())
        .setRevision(r.revision())
        .setSortOrder(
            switch (r.sortOrder()) {
              case NONE -> RangeRequestProto.SortOrder.NONE;
              case ASCEND -> RangeRequestProto.SortOrder.ASCEND;
              case DESCEND -> RangeRequestProto.SortOrder.DESCEND;
            })
        .setSortTarget(
            switch (r.sortTarget()) {
              case KEY -> RangeRequestProto.SortTarget.KEY;
              case VERSION -> RangeRequestProto.SortTarget.VERSION;
              case CREATE -> RangeRequestProto.SortTarget.CREATE;
              case MOD -> RangeRequestProto.SortTarget.MOD;
              case VALUE -> RangeRequestProto.SortTarget.VALUE;
            })
        .setKeysOnly(r.keysOnly())
        .setCountOnly(r.countOnly())
        .setMinModRevision(r.minModRevision())
        .setMaxModRevision(r.maxModRevision())
        .setMinCreateRevision(r.minCreateRevision())
        .setMaxCreateRevision(r.maxCreateRevision())
        .build();
  }

  private static DeleteRangeRequestProto deleteRange(DeleteRangeRequest d) {
    return DeleteRangeRequestProto.newBuilder()
        .setKey(bytes(d.key()))
        .setRangeEnd(bytes(d.rangeEnd()))
        .setPrevKv(d.prevKv())
        .build();
  }

  private static TxnRequestProto txn(TxnRequest t) {
    TxnRequestProto.Builder out = TxnRequestProto.newBuilder();
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

  private static CompareProto compare(Compare c) {
    CompareProto.Builder out =
        CompareProto.newBuilder()
            .setKey(bytes(c.key()))
            .setRangeEnd(bytes(c.rangeEnd()))
            .setResult(
                switch (c.result()) {
                  case EQUAL -> CompareProto.CompareResult.EQUAL;
                  case GREATER -> CompareProto.CompareResult.GREATER;
                  case LESS -> CompareProto.CompareResult.LESS;
                  case NOT_EQUAL -> CompareProto.CompareResult.NOT_EQUAL;
                });
    // The operand field that matches the target, as etcd's target_union.
    return switch (c.target()) {
      case VERSION ->
          out.setTarget(CompareProto.CompareTarget.VERSION).setVersion(c.number()).build();
      case CREATE ->
          out.setTarget(CompareProto.CompareTarget.CREATE).setCreateRevision(c.number()).build();
      case MOD -> out.setTarget(CompareProto.CompareTarget.MOD).setModRevision(c.number()).build();
      case VALUE ->
          out.setTarget(CompareProto.CompareTarget.VALUE).setValue(bytes(c.value())).build();
      case LEASE -> out.setTarget(CompareProto.CompareTarget.LEASE).setLease(c.number()).build();
    };
  }

  private static RequestOpProto op(TxnOp op) {
    return switch (op) {
      case PutRequest p -> RequestOpProto.newBuilder().setPut(put(p)).build();
      case RangeRequest r -> RequestOpProto.newBuilder().setRange(range(r)).build();
      case DeleteRangeRequest d ->
          RequestOpProto.newBuilder().setDeleteRange(deleteRange(d)).build();
      case TxnRequest t -> RequestOpProto.newBuilder().setTxn(txn(t)).build();
    };
  }
}
