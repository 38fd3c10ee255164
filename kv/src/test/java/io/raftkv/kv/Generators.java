package io.raftkv.kv;

import io.raftkv.kv.Compare.Result;
import io.raftkv.kv.Compare.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random requests over a small key space (so keys collide, txns compare real state and ranges
 * overlap). Seeded by the caller; everything drawn follows from the seed.
 */
final class Generators {
  private static final String[] KEYS = {"a", "b", "c", "d", "e", "f"};

  private Generators() {}

  static Bytes key(Random r) {
    return Fixture.b(KEYS[r.nextInt(KEYS.length)]);
  }

  static Bytes value(Random r) {
    return Fixture.b("v" + r.nextInt(4));
  }

  static Bytes rangeEnd(Random r, Bytes key) {
    return switch (r.nextInt(4)) {
      case 0 -> Bytes.empty();
      case 1 -> Bytes.copyOf(new byte[] {0});
      default -> key(r);
    };
  }

  static TxnOp op(Random r, int depth, long[] leases) {
    int kind = r.nextInt(depth > 1 ? 3 : 4);
    return switch (kind) {
      case 0 -> put(r, leases);
      case 1 -> new DeleteRangeRequest(key(r), rangeEnd(r, Fixture.b("c")), r.nextBoolean());
      case 2 -> RangeRequest.range(key(r), rangeEnd(r, Fixture.b("d")));
      default -> txn(r, depth + 1, leases);
    };
  }

  static PutRequest put(Random r, long[] leases) {
    long lease = r.nextInt(3) == 0 ? leases[r.nextInt(leases.length)] : 0;
    return new PutRequest(key(r), value(r), lease, r.nextBoolean(), false, false);
  }

  @SuppressWarnings("EnumOrdinal") // values()[random index] is a uniform random pick
  static TxnRequest txn(Random r, int depth, long[] leases) {
    List<Compare> compares = new ArrayList<>();
    for (int i = r.nextInt(3); i > 0; i--) {
      Target target = Target.values()[r.nextInt(Target.values().length)];
      Result result = Result.values()[r.nextInt(Result.values().length)];
      Compare c =
          target == Target.VALUE
              ? Compare.value(key(r), result, value(r))
              : Compare.number(target, key(r), result, r.nextInt(6));
      compares.add(r.nextInt(4) == 0 ? c.overRange(Fixture.b("g")) : c);
    }
    return new TxnRequest(compares, ops(r, depth, leases), ops(r, depth, leases));
  }

  private static List<TxnOp> ops(Random r, int depth, long[] leases) {
    List<TxnOp> ops = new ArrayList<>();
    for (int i = r.nextInt(3); i > 0; i--) {
      ops.add(op(r, depth, leases));
    }
    return ops;
  }

  /** Any request, including ones the store must refuse. */
  static Request request(Random r, long revision, long[] leases) {
    return switch (r.nextInt(12)) {
      case 0, 1, 2, 3 -> put(r, leases);
      case 4 -> new DeleteRangeRequest(key(r), rangeEnd(r, Fixture.b("c")), r.nextBoolean());
      case 5, 6 -> txn(r, 0, leases);
      case 7 -> new CompactRequest(1 + r.nextInt((int) Math.max(1, revision)));
      case 8 -> new LeaseGrantRequest(leases[r.nextInt(leases.length)], 1 + r.nextInt(20));
      case 9 -> new LeaseRevokeRequest(leases[r.nextInt(leases.length)]);
      case 10 -> new PutRequest(key(r), Bytes.empty(), 0, false, true, r.nextBoolean());
      default ->
          RangeRequest.range(key(r), rangeEnd(r, Fixture.b("e")))
              .withLimit(r.nextInt(3))
              .atRevision(r.nextInt((int) revision + 2));
    };
  }
}
