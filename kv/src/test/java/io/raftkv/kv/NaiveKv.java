package io.raftkv.kv;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The reference model: a full copy of every key at every revision (states.get(r) is the store at
 * revision r), leases as a map, events as a list. Slow and obviously right; the property tests hold
 * the MVCC store to it.
 */
final class NaiveKv {
  final List<NavigableMap<Bytes, KeyValue>> states = new ArrayList<>();
  final TreeMap<Long, Long> leaseTtls = new TreeMap<>();
  final List<Event> events = new ArrayList<>();
  long compactRevision;
  private long nextLeaseId = 1;
  private final KvLimits limits;

  NaiveKv(KvLimits limits) {
    this.limits = limits;
    states.add(new TreeMap<>()); // revision 0, never read
    states.add(new TreeMap<>()); // revision 1: the empty store
  }

  long revision() {
    return states.size() - 1L;
  }

  NavigableMap<Bytes, KeyValue> at(long revision) {
    return states.get((int) revision);
  }

  /** The model's answer; an ErrorResponse carries only the code that must match. */
  Response apply(Request request) {
    try {
      new RequestChecker(limits).check(request);
      return switch (request) {
        case TxnOp op -> write(op);
        case CompactRequest c -> compact(c);
        case LeaseGrantRequest g -> grant(g);
        case LeaseRevokeRequest r -> revoke(r);
        case SessionOpenRequest s -> throw new UnsupportedOperationException("sessions");
      };
    } catch (KvException e) {
      return new ErrorResponse(revision(), e.code(), "");
    }
  }

  /** One revision's worth of writes on a copy; kept only if nothing failed and it changed. */
  private final class Working {
    final NavigableMap<Bytes, KeyValue> before = at(revision());
    final NavigableMap<Bytes, KeyValue> map = new TreeMap<>(before);
    final List<Event> pending = new ArrayList<>();

    long rev() {
      return pending.isEmpty() ? revision() : revision() + 1;
    }
  }

  private Response write(TxnOp op) {
    Working w = new Working();
    Response r = run(w, op);
    if (!w.pending.isEmpty()) {
      states.add(w.map);
      events.addAll(w.pending);
    }
    return switch (r) {
      case PutResponse p -> new PutResponse(revision(), p.prevKv());
      case DeleteRangeResponse d -> new DeleteRangeResponse(revision(), d.deleted(), d.prevKvs());
      case TxnResponse t -> new TxnResponse(revision(), t.succeeded(), t.responses());
      default -> r;
    };
  }

  private Response run(Working w, TxnOp op) {
    return switch (op) {
      case PutRequest p -> put(w, p);
      case DeleteRangeRequest d -> delete(w, d);
      case RangeRequest r -> range(w, r);
      case TxnRequest t -> {
        boolean ok = t.compares().stream().allMatch(c -> holds(w.before, c));
        List<Response> responses = new ArrayList<>();
        for (TxnOp inner : ok ? t.success() : t.failure()) {
          responses.add(run(w, inner));
        }
        yield new TxnResponse(w.rev(), ok, responses);
      }
    };
  }

  private Response put(Working w, PutRequest p) {
    KeyValue prev = w.map.get(p.key());
    if (p.lease() != 0 && !leaseTtls.containsKey(p.lease())) {
      throw new KvException(KvErrorCode.LEASE_NOT_FOUND, "");
    }
    if ((p.ignoreValue() || p.ignoreLease()) && w.before.get(p.key()) == null) {
      throw new KvException(KvErrorCode.KEY_NOT_FOUND, "");
    }
    long rev = revision() + 1;
    KeyValue kv =
        new KeyValue(
            p.key(),
            prev == null ? rev : prev.createRevision(),
            rev,
            prev == null ? 1 : prev.version() + 1,
            p.ignoreValue() ? prev.value() : p.value(),
            p.ignoreLease() ? prev.lease() : p.lease());
    w.map.put(p.key(), kv);
    w.pending.add(new Event(Event.Type.PUT, kv, Optional.ofNullable(prev)));
    return new PutResponse(w.rev(), p.prevKv() ? Optional.ofNullable(prev) : Optional.empty());
  }

  private Response delete(Working w, DeleteRangeRequest d) {
    List<KeyValue> gone = inRange(w.map, d.key(), d.rangeEnd());
    for (KeyValue kv : gone) {
      w.map.remove(kv.key());
      KeyValue tomb = new KeyValue(kv.key(), 0, revision() + 1, 0, Bytes.empty(), 0);
      w.pending.add(new Event(Event.Type.DELETE, tomb, Optional.of(kv)));
    }
    return new DeleteRangeResponse(w.rev(), gone.size(), d.prevKv() ? gone : List.of());
  }

  private Response range(Working w, RangeRequest r) {
    long latest = w.rev();
    if (r.revision() > revision()) {
      throw new KvException(KvErrorCode.FUTURE_REVISION, "");
    }
    long at = r.revision() <= 0 ? latest : r.revision();
    if (at < compactRevision) {
      throw new KvException(KvErrorCode.COMPACTED, "");
    }
    return range(at == latest ? w.map : at(at), r, latest);
  }

  /** Only the range features the generators use: key span, limit, revision. */
  static RangeResponse range(NavigableMap<Bytes, KeyValue> state, RangeRequest r, long header) {
    List<KeyValue> all = inRange(state, r.key(), r.rangeEnd());
    boolean more = r.limit() > 0 && all.size() > r.limit();
    return new RangeResponse(
        header, more ? all.subList(0, (int) r.limit()) : all, more, all.size());
  }

  static List<KeyValue> inRange(NavigableMap<Bytes, KeyValue> state, Bytes key, Bytes end) {
    KeyRange range = KeyRange.of(key, end);
    List<KeyValue> out = new ArrayList<>();
    for (Map.Entry<Bytes, KeyValue> e : state.entrySet()) {
      if (range.contains(e.getKey().array())) {
        out.add(e.getValue());
      }
    }
    return out;
  }

  private static boolean holds(NavigableMap<Bytes, KeyValue> state, Compare c) {
    List<KeyValue> kvs = inRange(state, c.key(), c.rangeEnd());
    if (kvs.isEmpty()) {
      if (c.target() == Compare.Target.VALUE) {
        return false;
      }
      kvs = List.of(new KeyValue(c.key(), 0, 0, 0, Bytes.empty(), 0));
    }
    for (KeyValue kv : kvs) {
      int order =
          switch (c.target()) {
            case VERSION -> Long.compare(kv.version(), c.number());
            case CREATE -> Long.compare(kv.createRevision(), c.number());
            case MOD -> Long.compare(kv.modRevision(), c.number());
            case LEASE -> Long.compare(kv.lease(), c.number());
            case VALUE -> kv.value().compareTo(c.value());
          };
      boolean ok =
          switch (c.result()) {
            case EQUAL -> order == 0;
            case NOT_EQUAL -> order != 0;
            case GREATER -> order > 0;
            case LESS -> order < 0;
          };
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private Response compact(CompactRequest c) {
    if (c.revision() <= compactRevision) {
      throw new KvException(KvErrorCode.COMPACTED, "");
    }
    if (c.revision() > revision()) {
      throw new KvException(KvErrorCode.FUTURE_REVISION, "");
    }
    compactRevision = c.revision();
    return new CompactResponse(revision());
  }

  private Response grant(LeaseGrantRequest g) {
    long id = g.id();
    if (id == 0) {
      while (leaseTtls.containsKey(nextLeaseId)) {
        nextLeaseId++;
      }
      id = nextLeaseId;
    }
    if (leaseTtls.containsKey(id)) {
      throw new KvException(KvErrorCode.LEASE_EXISTS, "");
    }
    long ttl = Math.max(g.ttlSeconds(), limits.leaseTtlMinSeconds());
    leaseTtls.put(id, ttl);
    nextLeaseId = Math.max(nextLeaseId, id + 1);
    return new LeaseGrantResponse(revision(), id, ttl);
  }

  private Response revoke(LeaseRevokeRequest r) {
    if (leaseTtls.remove(r.id()) == null) {
      throw new KvException(KvErrorCode.LEASE_NOT_FOUND, "");
    }
    Working w = new Working();
    for (Bytes key : keysOf(w.map, r.id())) {
      delete(w, DeleteRangeRequest.of(key));
    }
    if (!w.pending.isEmpty()) {
      states.add(w.map);
      events.addAll(w.pending);
    }
    return new LeaseRevokeResponse(revision());
  }

  static List<Bytes> keysOf(NavigableMap<Bytes, KeyValue> state, long lease) {
    return state.values().stream().filter(kv -> kv.lease() == lease).map(KeyValue::key).toList();
  }

  List<LeaseInfo> leases() {
    List<LeaseInfo> out = new ArrayList<>();
    leaseTtls.forEach((id, ttl) -> out.add(new LeaseInfo(id, ttl, keysOf(at(revision()), id))));
    return out;
  }
}
