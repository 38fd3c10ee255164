package io.raftkv.server.etcd;

import com.google.protobuf.MessageLite;
import io.etcd.jetcd.api.Compare;
import io.etcd.jetcd.api.DeleteRangeRequest;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.RequestOp;
import io.etcd.jetcd.api.TxnRequest;
import io.grpc.Status;
import io.raftkv.server.AlarmState;
import io.raftkv.server.NodeContext;

/**
 * The checks etcd makes before a request reaches the log (api/v3rpc/key.go and quota.go), in etcd's
 * order, with etcd's errors: an empty key, ignore_value / ignore_lease with the field given, too
 * many operations in a txn (compares count too), a request over {@code --max-request-bytes}, and a
 * write that needs space while NOSPACE is raised. The state machine checks the rest (leases,
 * revisions, duplicate keys in a txn) and answers with the same messages.
 */
final class RequestChecks {
  private final NodeContext node;

  RequestChecks(NodeContext node) {
    this.node = node;
  }

  void range(RangeRequest r) {
    if (r.getKey().isEmpty()) {
      throw EtcdErrors.emptyKey();
    }
  }

  void put(PutRequest p) {
    if (p.getKey().isEmpty()) {
      throw EtcdErrors.emptyKey();
    }
    if (p.getIgnoreValue() && !p.getValue().isEmpty()) {
      throw EtcdErrors.status(Status.Code.INVALID_ARGUMENT, "etcdserver: value is provided");
    }
    if (p.getIgnoreLease() && p.getLease() != 0) {
      throw EtcdErrors.status(Status.Code.INVALID_ARGUMENT, "etcdserver: lease is provided");
    }
  }

  void delete(DeleteRangeRequest d) {
    if (d.getKey().isEmpty()) {
      throw EtcdErrors.emptyKey();
    }
  }

  void txn(TxnRequest t) {
    int ops = Math.max(t.getCompareCount(), Math.max(t.getSuccessCount(), t.getFailureCount()));
    if (ops > node.limits().maxTxnOps()) {
      throw EtcdErrors.status(
          Status.Code.INVALID_ARGUMENT,
          EtcdErrors.TOO_MANY_OPS,
          ops + " operations > --max-txn-ops " + node.limits().maxTxnOps());
    }
    for (Compare c : t.getCompareList()) {
      if (c.getKey().isEmpty()) {
        throw EtcdErrors.emptyKey();
      }
    }
    for (RequestOp op : t.getSuccessList()) {
      op(op);
    }
    for (RequestOp op : t.getFailureList()) {
      op(op);
    }
  }

  private void op(RequestOp op) {
    switch (op.getRequestCase()) {
      case REQUEST_RANGE -> range(op.getRequestRange());
      case REQUEST_PUT -> put(op.getRequestPut());
      case REQUEST_DELETE_RANGE -> delete(op.getRequestDeleteRange());
      case REQUEST_TXN -> txn(op.getRequestTxn());
      case REQUEST_NOT_SET -> {}
    }
  }

  /** etcd measures the marshalled request against {@code --max-request-bytes}. */
  void size(MessageLite request) {
    int bytes = request.getSerializedSize();
    if (bytes > node.limits().maxRequestBytes()) {
      throw EtcdErrors.status(
          Status.Code.INVALID_ARGUMENT,
          EtcdErrors.REQUEST_TOO_LARGE,
          bytes + " bytes > --max-request-bytes " + node.limits().maxRequestBytes());
    }
  }

  /** Under NOSPACE, etcd refuses what would take space: puts, txns with a put, lease grants. */
  void space() {
    if (node.alarms().isRaised(AlarmState.Type.NOSPACE)) {
      throw EtcdErrors.noSpace();
    }
  }

  /** etcd's quota cost of a txn is that of the direct puts of its costlier branch. */
  static boolean takesSpace(TxnRequest t) {
    return t.getSuccessList().stream().anyMatch(RequestOp::hasRequestPut)
        || t.getFailureList().stream().anyMatch(RequestOp::hasRequestPut);
  }
}
