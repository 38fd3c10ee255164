package io.raftkv.server.etcd;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.etcd.jetcd.api.RequestOp;
import io.etcd.jetcd.api.ResponseHeader;
import io.etcd.jetcd.api.ResponseOp;
import io.raftkv.kv.Bytes;
import io.raftkv.kv.Compare;
import io.raftkv.kv.DeleteRangeRequest;
import io.raftkv.kv.DeleteRangeResponse;
import io.raftkv.kv.ErrorResponse;
import io.raftkv.kv.Event;
import io.raftkv.kv.KeyValue;
import io.raftkv.kv.KvErrorCode;
import io.raftkv.kv.KvException;
import io.raftkv.kv.PutRequest;
import io.raftkv.kv.PutResponse;
import io.raftkv.kv.RangeRequest;
import io.raftkv.kv.RangeResponse;
import io.raftkv.kv.Response;
import io.raftkv.kv.TxnOp;
import io.raftkv.kv.TxnRequest;
import io.raftkv.kv.TxnResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * etcd's KV messages to kv's records and back. jetcd 0.8.7's protos predate a few fields etcd 3.4
 * clients send and expect (the LEASE compare and its operand, field 8); protobuf keeps unknown
 * fields, so they are read from there.
 */
final class KvProtos {
  /** etcd's Compare.CompareTarget LEASE, missing from jetcd's enum. */
  static final int COMPARE_TARGET_LEASE = 4;

  /** etcd's Compare.lease, in the target_union oneof; missing from jetcd's message. */
  static final int COMPARE_LEASE_FIELD = 8;

  private KvProtos() {}

  static Bytes bytes(ByteString bytes) {
    return bytes.isEmpty() ? Bytes.empty() : Bytes.copyOf(bytes.toByteArray());
  }

  static ByteString byteString(Bytes bytes) {
    return bytes.isEmpty() ? ByteString.EMPTY : ByteString.copyFrom(bytes.toByteArray());
  }

  // ------------------------------------------------------------------ requests

  static RangeRequest range(io.etcd.jetcd.api.RangeRequest r) {
    return new RangeRequest(
        bytes(r.getKey()),
        bytes(r.getRangeEnd()),
        Math.max(0, r.getLimit()), // etcd reads a negative limit as none
        r.getRevision(),
        sortOrder(r.getSortOrderValue()),
        sortTarget(r.getSortTargetValue()),
        r.getKeysOnly(),
        r.getCountOnly(),
        r.getMinModRevision(),
        r.getMaxModRevision(),
        r.getMinCreateRevision(),
        r.getMaxCreateRevision());
  }

  private static RangeRequest.SortOrder sortOrder(int value) {
    return switch (value) {
      case 0 -> RangeRequest.SortOrder.NONE;
      case 1 -> RangeRequest.SortOrder.ASCEND;
      case 2 -> RangeRequest.SortOrder.DESCEND;
      default -> throw invalid("sort order " + value);
    };
  }

  private static RangeRequest.SortTarget sortTarget(int value) {
    return switch (value) {
      case 0 -> RangeRequest.SortTarget.KEY;
      case 1 -> RangeRequest.SortTarget.VERSION;
      case 2 -> RangeRequest.SortTarget.CREATE;
      case 3 -> RangeRequest.SortTarget.MOD;
      case 4 -> RangeRequest.SortTarget.VALUE;
      default -> throw invalid("sort target " + value);
    };
  }

  static PutRequest put(io.etcd.jetcd.api.PutRequest p) {
    return new PutRequest(
        bytes(p.getKey()),
        bytes(p.getValue()),
        p.getLease(),
        p.getPrevKv(),
        p.getIgnoreValue(),
        p.getIgnoreLease());
  }

  static DeleteRangeRequest delete(io.etcd.jetcd.api.DeleteRangeRequest d) {
    return new DeleteRangeRequest(bytes(d.getKey()), bytes(d.getRangeEnd()), d.getPrevKv());
  }

  static TxnRequest txn(io.etcd.jetcd.api.TxnRequest t) {
    List<Compare> compares = new ArrayList<>(t.getCompareCount());
    for (io.etcd.jetcd.api.Compare c : t.getCompareList()) {
      compares.add(compare(c));
    }
    return new TxnRequest(compares, ops(t.getSuccessList()), ops(t.getFailureList()));
  }

  private static List<TxnOp> ops(List<RequestOp> ops) {
    List<TxnOp> converted = new ArrayList<>(ops.size());
    for (RequestOp op : ops) {
      converted.add(
          switch (op.getRequestCase()) {
            case REQUEST_RANGE -> range(op.getRequestRange());
            case REQUEST_PUT -> put(op.getRequestPut());
            case REQUEST_DELETE_RANGE -> delete(op.getRequestDeleteRange());
            case REQUEST_TXN -> txn(op.getRequestTxn());
            case REQUEST_NOT_SET -> throw invalid("a txn operation with no request");
          });
    }
    return converted;
  }

  /**
   * As etcd's applyCompare: the operand is the union member matching the target, 0 (or empty) when
   * the client set another one.
   */
  static Compare compare(io.etcd.jetcd.api.Compare c) {
    Compare.Result result =
        switch (c.getResultValue()) {
          case 0 -> Compare.Result.EQUAL;
          case 1 -> Compare.Result.GREATER;
          case 2 -> Compare.Result.LESS;
          case 3 -> Compare.Result.NOT_EQUAL;
          default -> throw invalid("compare result " + c.getResultValue());
        };
    Bytes key = bytes(c.getKey());
    Compare compare =
        switch (c.getTargetValue()) {
          case 0 -> Compare.number(Compare.Target.VERSION, key, result, c.getVersion());
          case 1 -> Compare.number(Compare.Target.CREATE, key, result, c.getCreateRevision());
          case 2 -> Compare.number(Compare.Target.MOD, key, result, c.getModRevision());
          case 3 -> Compare.value(key, result, bytes(c.getValue()));
          case COMPARE_TARGET_LEASE ->
              Compare.number(Compare.Target.LEASE, key, result, leaseOperand(c));
          default -> throw invalid("compare target " + c.getTargetValue());
        };
    return c.getRangeEnd().isEmpty() ? compare : compare.overRange(bytes(c.getRangeEnd()));
  }

  private static long leaseOperand(io.etcd.jetcd.api.Compare c) {
    UnknownFieldSet.Field lease = c.getUnknownFields().getField(COMPARE_LEASE_FIELD);
    List<Long> values = lease.getVarintList();
    return values.isEmpty() ? 0 : values.get(values.size() - 1);
  }

  private static KvException invalid(String what) {
    return new KvException(KvErrorCode.INVALID_ARGUMENT, what);
  }

  // ------------------------------------------------------------------ responses

  static io.etcd.jetcd.api.KeyValue keyValue(KeyValue kv) {
    return io.etcd.jetcd.api.KeyValue.newBuilder()
        .setKey(byteString(kv.key()))
        .setCreateRevision(kv.createRevision())
        .setModRevision(kv.modRevision())
        .setVersion(kv.version())
        .setValue(byteString(kv.value()))
        .setLease(kv.lease())
        .build();
  }

  static io.etcd.jetcd.api.Event event(Event event) {
    io.etcd.jetcd.api.Event.Builder out =
        io.etcd.jetcd.api.Event.newBuilder()
            .setType(
                event.type() == Event.Type.PUT
                    ? io.etcd.jetcd.api.Event.EventType.PUT
                    : io.etcd.jetcd.api.Event.EventType.DELETE)
            .setKv(keyValue(event.kv()));
    event.prevKv().ifPresent(prev -> out.setPrevKv(keyValue(prev)));
    return out.build();
  }

  static io.etcd.jetcd.api.RangeResponse range(RangeResponse r, ResponseHeader header) {
    io.etcd.jetcd.api.RangeResponse.Builder out =
        io.etcd.jetcd.api.RangeResponse.newBuilder()
            .setHeader(header)
            .setMore(r.more())
            .setCount(r.count());
    for (KeyValue kv : r.kvs()) {
      out.addKvs(keyValue(kv));
    }
    return out.build();
  }

  static io.etcd.jetcd.api.PutResponse put(PutResponse r, ResponseHeader header) {
    io.etcd.jetcd.api.PutResponse.Builder out =
        io.etcd.jetcd.api.PutResponse.newBuilder().setHeader(header);
    r.prevKv().ifPresent(prev -> out.setPrevKv(keyValue(prev)));
    return out.build();
  }

  static io.etcd.jetcd.api.DeleteRangeResponse delete(
      DeleteRangeResponse r, ResponseHeader header) {
    io.etcd.jetcd.api.DeleteRangeResponse.Builder out =
        io.etcd.jetcd.api.DeleteRangeResponse.newBuilder()
            .setHeader(header)
            .setDeleted(r.deleted());
    for (KeyValue kv : r.prevKvs()) {
      out.addPrevKvs(keyValue(kv));
    }
    return out.build();
  }

  /** Inner responses carry only their revision in the header, as etcd's do. */
  static io.etcd.jetcd.api.TxnResponse txn(TxnResponse r, ResponseHeader header) {
    io.etcd.jetcd.api.TxnResponse.Builder out =
        io.etcd.jetcd.api.TxnResponse.newBuilder().setHeader(header).setSucceeded(r.succeeded());
    for (Response inner : r.responses()) {
      ResponseHeader innerHeader =
          ResponseHeader.newBuilder().setRevision(inner.revision()).build();
      ResponseOp.Builder op = ResponseOp.newBuilder();
      switch (inner) {
        case RangeResponse range -> op.setResponseRange(range(range, innerHeader));
        case PutResponse put -> op.setResponsePut(put(put, innerHeader));
        case DeleteRangeResponse delete -> op.setResponseDeleteRange(delete(delete, innerHeader));
        case TxnResponse txn -> op.setResponseTxn(txn(txn, innerHeader));
        case ErrorResponse error -> throw EtcdErrors.of(error);
        default -> throw new IllegalStateException("a txn answered " + inner);
      }
      out.addResponses(op);
    }
    return out.build();
  }
}
