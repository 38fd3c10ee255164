package io.raftkv.kv;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * Applies one request to the state, etcd's applier: every check that can refuse a request runs
 * before the first write, so a refused request changes nothing.
 */
final class Applier {
  private final StoreState state;
  private final KvLimits limits;
  private final WatchHub hub;

  Applier(StoreState state, KvLimits limits, WatchHub hub) {
    this.state = state;
    this.limits = limits;
    this.hub = hub;
  }

  Response apply(long index, Request request) {
    return switch (request) {
      case PutRequest p -> put(p);
      case DeleteRangeRequest d -> deleteRange(d);
      case RangeRequest r ->
          RangeReader.range(state.history, r, state.revision, state.compactRevision);
      case TxnRequest t -> txn(t);
      case CompactRequest c -> compact(c);
      case LeaseGrantRequest g -> grant(g);
      case LeaseRevokeRequest r -> revoke(r);
      case SessionOpenRequest s -> openSession(index);
    };
  }

  private Response put(PutRequest p) {
    checkPut(p);
    WriteTxn txn = new WriteTxn(state, !hub.isEmpty());
    PutResponse response = writePut(txn, p);
    hub.dispatch(txn.commit());
    return response;
  }

  private Response deleteRange(DeleteRangeRequest d) {
    WriteTxn txn = new WriteTxn(state, !hub.isEmpty());
    DeleteRangeResponse response = writeDelete(txn, d);
    hub.dispatch(txn.commit());
    return new DeleteRangeResponse(state.revision, response.deleted(), response.prevKvs());
  }

  private Response txn(TxnRequest t) {
    List<Boolean> path = new ArrayList<>();
    choosePath(t, path);
    checkPath(t, path.iterator());
    WriteTxn txn = new WriteTxn(state, !hub.isEmpty());
    TxnResponse response = runTxn(txn, t, path.iterator());
    hub.dispatch(txn.commit());
    return new TxnResponse(state.revision, response.succeeded(), response.responses());
  }

  /** etcd's compareToPath: every compare, nested ones too, judged before any write. */
  private void choosePath(TxnRequest t, List<Boolean> path) {
    boolean succeeded = true;
    for (Compare c : t.compares()) {
      if (!RangeReader.holds(state.history, c, state.revision)) {
        succeeded = false;
        break;
      }
    }
    path.add(succeeded);
    for (TxnOp op : succeeded ? t.success() : t.failure()) {
      if (op instanceof TxnRequest nested) {
        choosePath(nested, path);
      }
    }
  }

  /** etcd's checkRequests: refusals on the branch that will run, before it runs. */
  private void checkPath(TxnRequest t, Iterator<Boolean> path) {
    for (TxnOp op : path.next() ? t.success() : t.failure()) {
      switch (op) {
        case PutRequest p -> checkPut(p);
        case RangeRequest r ->
            RangeReader.readRevision(r.revision(), state.revision, state.compactRevision);
        case DeleteRangeRequest d -> {}
        case TxnRequest nested -> checkPath(nested, path);
      }
    }
  }

  private TxnResponse runTxn(WriteTxn txn, TxnRequest t, Iterator<Boolean> path) {
    boolean succeeded = path.next();
    List<Response> responses = new ArrayList<>();
    for (TxnOp op : succeeded ? t.success() : t.failure()) {
      responses.add(
          switch (op) {
            case PutRequest p -> writePut(txn, p);
            case DeleteRangeRequest d -> writeDelete(txn, d);
            case RangeRequest r ->
                RangeReader.range(state.history, r, txn.readRevision(), state.compactRevision);
            case TxnRequest nested -> runTxn(txn, nested, path);
          });
    }
    return new TxnResponse(txn.readRevision(), succeeded, responses);
  }

  private void checkPut(PutRequest p) {
    if (p.lease() != 0 && !state.leases.exists(p.lease())) {
      throw new KvException(KvErrorCode.LEASE_NOT_FOUND, "lease " + p.lease());
    }
    if ((p.ignoreValue() || p.ignoreLease()) && liveHead(p.key().array()) == null) {
      throw new KvException(KvErrorCode.KEY_NOT_FOUND, "key " + p.key());
    }
  }

  private Version liveHead(byte[] key) {
    Version head = state.history.head(key);
    return head == null || head.isTombstone() ? null : head;
  }

  private PutResponse writePut(WriteTxn txn, PutRequest p) {
    byte[] key = p.key().array();
    // Only the ignore flags need the current version first: a lookup is a skip-list traversal.
    Version current = p.ignoreValue() || p.ignoreLease() ? liveHead(key) : null;
    Invariants.check(
        current != null || !(p.ignoreValue() || p.ignoreLease()),
        "put ignoring value/lease of absent key %s passed its check",
        p.key());
    byte[] value = p.ignoreValue() ? current.value : p.value().array();
    long lease = p.ignoreLease() ? current.lease : p.lease();
    Version prev = txn.put(key, value, lease);
    Optional<KeyValue> prevKv =
        p.prevKv() && prev != null ? Optional.of(prev.toKeyValue(key)) : Optional.empty();
    return new PutResponse(txn.readRevision(), prevKv);
  }

  private DeleteRangeResponse writeDelete(WriteTxn txn, DeleteRangeRequest d) {
    List<byte[]> keys = new ArrayList<>();
    for (Chain c : state.history.chains(KeyRange.of(d.key(), d.rangeEnd()))) {
      if (!state.history.head(c).isTombstone()) {
        keys.add(c.key);
      }
    }
    List<KeyValue> prevKvs = new ArrayList<>();
    for (byte[] key : keys) {
      Version prev = txn.delete(key);
      if (d.prevKv()) {
        prevKvs.add(prev.toKeyValue(key));
      }
    }
    return new DeleteRangeResponse(txn.readRevision(), keys.size(), prevKvs);
  }

  private Response compact(CompactRequest c) {
    if (c.revision() <= state.compactRevision) {
      throw new KvException(
          KvErrorCode.COMPACTED,
          "revision " + c.revision() + " <= compacted " + state.compactRevision);
    }
    if (c.revision() > state.revision) {
      throw new KvException(
          KvErrorCode.FUTURE_REVISION, "revision " + c.revision() + " > current " + state.revision);
    }
    state.compactRevision = c.revision();
    hub.compacted(state.compactRevision);
    return new CompactResponse(state.revision);
  }

  private Response grant(LeaseGrantRequest g) {
    long id = g.id() == 0 ? state.leases.chooseId() : g.id();
    if (state.leases.exists(id)) {
      throw new KvException(KvErrorCode.LEASE_EXISTS, "lease " + id);
    }
    long ttl = Math.max(g.ttlSeconds(), limits.leaseTtlMinSeconds());
    state.leases.grant(id, ttl);
    return new LeaseGrantResponse(state.revision, id, ttl);
  }

  private Response revoke(LeaseRevokeRequest r) {
    if (!state.leases.exists(r.id())) {
      throw new KvException(KvErrorCode.LEASE_NOT_FOUND, "lease " + r.id());
    }
    List<byte[]> keys = state.leases.revoke(r.id());
    WriteTxn txn = new WriteTxn(state, !hub.isEmpty());
    for (byte[] key : keys) {
      Invariants.check(txn.delete(key) != null, "lease %d held deleted key %s", r.id(), key);
    }
    hub.dispatch(txn.commit());
    return new LeaseRevokeResponse(state.revision);
  }

  private Response openSession(long index) {
    state.sessions.open(index);
    return new SessionOpenResponse(state.revision, index);
  }
}
