package io.raftkv.kv;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks that need no state: shape, sizes, txn op counts and etcd's duplicate-key rule. Run by the
 * store before any apply, and callable by the server before proposing.
 */
final class RequestChecker {
  private final KvLimits limits;

  RequestChecker(KvLimits limits) {
    this.limits = limits;
  }

  void check(Request request) {
    long bytes =
        switch (request) {
          case TxnOp op -> checkOp(op, 0);
          case CompactRequest c -> 0;
          case LeaseGrantRequest g -> checkGrant(g);
          case LeaseRevokeRequest r -> 0;
          case SessionOpenRequest s -> 0;
        };
    if (bytes > limits.requestBytesMax()) {
      throw new KvException(
          KvErrorCode.REQUEST_TOO_LARGE, bytes + " bytes > " + limits.requestBytesMax());
    }
  }

  private static long checkGrant(LeaseGrantRequest g) {
    if (g.id() < 0) {
      throw new KvException(KvErrorCode.INVALID_ARGUMENT, "lease id " + g.id() + " < 0");
    }
    if (g.ttlSeconds() > KvLimits.LEASE_TTL_MAX_SECONDS) {
      throw new KvException(KvErrorCode.LEASE_TTL_TOO_LARGE, "ttl " + g.ttlSeconds());
    }
    return 0;
  }

  /** Checks {@code op} and returns the bytes it carries (keys, ends, values). */
  private long checkOp(TxnOp op, int depth) {
    return switch (op) {
      case PutRequest p -> checkPut(p);
      case RangeRequest r -> checkRange(r);
      case DeleteRangeRequest d -> requireKey(d.key()) + d.rangeEnd().length();
      case TxnRequest t -> checkTxn(t, depth);
    };
  }

  private static long checkPut(PutRequest p) {
    long bytes = requireKey(p.key()) + p.value().length();
    if (p.ignoreValue() && !p.value().isEmpty()) {
      throw new KvException(KvErrorCode.VALUE_PROVIDED, "key " + p.key());
    }
    if (p.ignoreLease() && p.lease() != 0) {
      throw new KvException(KvErrorCode.LEASE_PROVIDED, "key " + p.key());
    }
    return bytes;
  }

  private static long checkRange(RangeRequest r) {
    long bytes = requireKey(r.key()) + r.rangeEnd().length();
    if (r.limit() < 0) {
      throw new KvException(KvErrorCode.INVALID_ARGUMENT, "limit " + r.limit() + " < 0");
    }
    if (r.sortOrder() == null || r.sortTarget() == null) {
      throw new KvException(KvErrorCode.INVALID_ARGUMENT, "sort order and target are required");
    }
    return bytes;
  }

  private long checkTxn(TxnRequest t, int depth) {
    if (depth >= limits.txnDepthMax()) {
      throw new KvException(
          KvErrorCode.INVALID_ARGUMENT, "txn nested deeper than " + limits.txnDepthMax());
    }
    for (List<TxnOp> branch : List.of(t.success(), t.failure())) {
      if (branch.size() > limits.txnOpsMax()) {
        throw new KvException(
            KvErrorCode.TOO_MANY_TXN_OPS, branch.size() + " ops > " + limits.txnOpsMax());
      }
    }
    long bytes = 0;
    for (Compare c : t.compares()) {
      if (c.target() == null || c.result() == null) {
        throw new KvException(KvErrorCode.INVALID_ARGUMENT, "compare target and result needed");
      }
      bytes += requireKey(c.key()) + c.rangeEnd().length() + c.value().length();
    }
    for (TxnOp op : t.success()) {
      bytes += checkOp(op, depth + 1);
    }
    for (TxnOp op : t.failure()) {
      bytes += checkOp(op, depth + 1);
    }
    if (depth == 0) {
      writes(t.success());
      writes(t.failure());
    }
    return bytes;
  }

  private static long requireKey(Bytes key) {
    if (key == null || key.isEmpty()) {
      throw new KvException(KvErrorCode.EMPTY_KEY, "");
    }
    return key.length();
  }

  record Writes(Set<Bytes> puts, List<KeyRange> deletes) {}

  /**
   * etcd's checkIntervals: within one branch no key is put twice or put inside a deleted range,
   * counting nested transactions, where a key put in both branches of one nested txn is fine (only
   * one of them runs).
   */
  static Writes writes(List<TxnOp> ops) {
    List<KeyRange> deletes = new ArrayList<>();
    for (TxnOp op : ops) {
      if (op instanceof DeleteRangeRequest d) {
        deletes.add(KeyRange.of(d.key(), d.rangeEnd()));
      }
    }
    Set<Bytes> puts = new HashSet<>();
    for (TxnOp op : ops) {
      if (op instanceof TxnRequest t) {
        Writes then = writes(t.success());
        Writes otherwise = writes(t.failure());
        for (Bytes k : then.puts()) {
          addPut(puts, deletes, k);
        }
        for (Bytes k : otherwise.puts()) {
          if (!then.puts().contains(k)) {
            addPut(puts, deletes, k);
          } else {
            requireOutside(deletes, k);
          }
        }
        deletes.addAll(then.deletes());
        deletes.addAll(otherwise.deletes());
      }
    }
    for (TxnOp op : ops) {
      if (op instanceof PutRequest p) {
        addPut(puts, deletes, p.key());
      }
    }
    return new Writes(puts, deletes);
  }

  private static void addPut(Set<Bytes> puts, List<KeyRange> deletes, Bytes key) {
    if (!puts.add(key)) {
      throw new KvException(KvErrorCode.DUPLICATE_KEY, "key " + key + " put twice");
    }
    requireOutside(deletes, key);
  }

  private static void requireOutside(List<KeyRange> deletes, Bytes key) {
    for (KeyRange d : deletes) {
      if (d.contains(key.array())) {
        throw new KvException(KvErrorCode.DUPLICATE_KEY, "key " + key + " put and deleted");
      }
    }
  }
}
