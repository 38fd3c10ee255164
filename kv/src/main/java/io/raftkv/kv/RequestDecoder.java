package io.raftkv.kv;

import static io.raftkv.kv.ProtoBytes.bytes;

import com.google.protobuf.UnknownFieldSet;
import io.raftkv.kv.proto.CommandProto;
import io.raftkv.kv.proto.CompareProto;
import io.raftkv.kv.proto.DeleteRangeRequestProto;
import io.raftkv.kv.proto.PutRequestProto;
import io.raftkv.kv.proto.RangeRequestProto;
import io.raftkv.kv.proto.RequestOpProto;
import io.raftkv.kv.proto.TxnRequestProto;
import java.util.ArrayList;
import java.util.List;

/**
 * A parsed {@link CommandProto}'s request as kv's records, for {@link CommandCodec#decodeMessage}.
 * It refuses what the records cannot express (no request set, an unknown enum value, an operand
 * that does not match a compare's target, txns nested deeper than {@link
 * CommandCodec#TXN_DEPTH_MAX}) with a {@link MalformedCommandException} naming the field path
 * ("txn.success[2].range.sort_order: ..."); each level that knows a path step prepends it.
 */
final class RequestDecoder {
  private RequestDecoder() {}

  static Request request(CommandProto m) throws MalformedCommandException {
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
  private static String unknownFields(UnknownFieldSet unknown) {
    return unknown.asMap().isEmpty()
        ? ""
        : " (unknown fields "
            + unknown.asMap().keySet()
            + ": a request kind this build does"
            + " not know?)";
  }

  private static PutRequest put(PutRequestProto m) {
    return new PutRequest(
        bytes(m.getKey()),
        bytes(m.getValue()),
        m.getLease(),
        m.getPrevKv(),
        m.getIgnoreValue(),
        m.getIgnoreLease());
  }

  private static RangeRequest range(RangeRequestProto m, String path)
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

  private static DeleteRangeRequest deleteRange(DeleteRangeRequestProto m) {
    return new DeleteRangeRequest(bytes(m.getKey()), bytes(m.getRangeEnd()), m.getPrevKv());
  }

  private static TxnRequest txn(TxnRequestProto m, int depth, String path)
      throws MalformedCommandException {
    if (depth >= CommandCodec.TXN_DEPTH_MAX) {
      throw new MalformedCommandException(
          path + ": txn nested deeper than " + CommandCodec.TXN_DEPTH_MAX);
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

  private static List<TxnOp> branch(List<RequestOpProto> ops, int depth, String path)
      throws MalformedCommandException {
    List<TxnOp> out = new ArrayList<>(ops.size());
    for (int i = 0; i < ops.size(); i++) {
      RequestOpProto op = ops.get(i);
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

  private static Compare compare(CompareProto m, String path) throws MalformedCommandException {
    Compare.Result result =
        switch (m.getResult()) {
          case EQUAL -> Compare.Result.EQUAL;
          case GREATER -> Compare.Result.GREATER;
          case LESS -> Compare.Result.LESS;
          case NOT_EQUAL -> Compare.Result.NOT_EQUAL;
          case UNRECOGNIZED -> throw unknownEnum(path + ".result", m.getResultValue());
        };
    CompareProto.TargetUnionCase operand = m.getTargetUnionCase();
    Compare.Target target =
        switch (m.getTarget()) {
          case VERSION ->
              operandOf(
                  Compare.Target.VERSION, operand, CompareProto.TargetUnionCase.VERSION, path);
          case CREATE ->
              operandOf(
                  Compare.Target.CREATE,
                  operand,
                  CompareProto.TargetUnionCase.CREATE_REVISION,
                  path);
          case MOD ->
              operandOf(
                  Compare.Target.MOD, operand, CompareProto.TargetUnionCase.MOD_REVISION, path);
          case VALUE ->
              operandOf(Compare.Target.VALUE, operand, CompareProto.TargetUnionCase.VALUE, path);
          case LEASE ->
              operandOf(Compare.Target.LEASE, operand, CompareProto.TargetUnionCase.LEASE, path);
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
      CompareProto.TargetUnionCase found,
      CompareProto.TargetUnionCase expected,
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
