package io.raftkv.kv;

import static io.raftkv.kv.Fixture.b;
import static io.raftkv.kv.Fixture.error;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftkv.kv.Compare.Result;
import io.raftkv.kv.Compare.Target;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** etcd's KV.Txn: compares, branches, one revision, duplicate-key rule, limits. */
class TxnTest {
  private final Fixture f = new Fixture();

  private static TxnRequest txn(List<Compare> compares, List<TxnOp> success, List<TxnOp> failure) {
    return new TxnRequest(compares, success, failure);
  }

  private static PutRequest put(String k, String v) {
    return PutRequest.of(b(k), b(v));
  }

  @Test
  void compareAndSwapOnModRevision() {
    long rev = f.put("a", "1").revision();
    Compare unchanged = Compare.number(Target.MOD, b("a"), Result.EQUAL, rev);
    TxnResponse first =
        (TxnResponse)
            f.apply(
                txn(List.of(unchanged), List.of(put("a", "2")), List.of(RangeRequest.of(b("a")))));
    assertThat(first.succeeded()).isTrue();
    TxnResponse second =
        (TxnResponse)
            f.apply(
                txn(List.of(unchanged), List.of(put("a", "3")), List.of(RangeRequest.of(b("a")))));
    assertThat(second.succeeded()).isFalse();
    RangeResponse seen = (RangeResponse) second.responses().get(0);
    assertThat(seen.kvs().get(0).value()).isEqualTo(b("2"));
    assertThat(f.get("a")).isEqualTo("2");
  }

  @Test
  void missingKeyComparesAsZeroButFailsValueCompares() {
    assertThat(holds(Compare.number(Target.VERSION, b("x"), Result.EQUAL, 0))).isTrue();
    assertThat(holds(Compare.number(Target.CREATE, b("x"), Result.LESS, 1))).isTrue();
    assertThat(holds(Compare.number(Target.LEASE, b("x"), Result.EQUAL, 0))).isTrue();
    assertThat(holds(Compare.value(b("x"), Result.EQUAL, Bytes.empty()))).isFalse();
    assertThat(holds(Compare.value(b("x"), Result.NOT_EQUAL, b("v")))).isFalse();
  }

  @Test
  void everyTargetAndResult() {
    long lease = f.grant(30);
    f.apply(PutRequest.of(b("k"), b("m")).withLease(lease)); // rev 2
    f.put("k", "m"); // rev 3, version 2, lease detached
    assertThat(holds(Compare.value(b("k"), Result.GREATER, b("a")))).isTrue();
    assertThat(holds(Compare.value(b("k"), Result.LESS, b("a")))).isFalse();
    assertThat(holds(Compare.value(b("k"), Result.EQUAL, b("m")))).isTrue();
    assertThat(holds(Compare.number(Target.VERSION, b("k"), Result.GREATER, 1))).isTrue();
    assertThat(holds(Compare.number(Target.CREATE, b("k"), Result.EQUAL, 2))).isTrue();
    assertThat(holds(Compare.number(Target.MOD, b("k"), Result.NOT_EQUAL, 3))).isFalse();
    assertThat(holds(Compare.number(Target.LEASE, b("k"), Result.EQUAL, 0))).isTrue();
  }

  @Test
  void rangeCompareMustHoldForEveryKey() {
    f.put("p/1", "x");
    f.put("p/2", "x");
    Compare allX = Compare.value(b("p/"), Result.EQUAL, b("x")).overRange(b("p0"));
    assertThat(holds(allX)).isTrue();
    f.put("p/3", "y");
    assertThat(holds(allX)).isFalse();
  }

  private boolean holds(Compare c) {
    return ((TxnResponse) f.apply(txn(List.of(c), List.of(), List.of()))).succeeded();
  }

  @Test
  void allWritesOfATxnShareOneRevisionAndLaterReadsSeeThem() {
    f.put("gone", "1");
    TxnResponse r =
        (TxnResponse)
            f.apply(
                txn(
                    List.of(),
                    List.of(
                        put("a", "1"),
                        put("b", "2"),
                        DeleteRangeRequest.of(b("gone")),
                        RangeRequest.range(b("a"), b("c"))),
                    List.of()));
    assertThat(r.revision()).isEqualTo(3);
    assertThat(f.kv("a").modRevision()).isEqualTo(3);
    assertThat(f.kv("b").modRevision()).isEqualTo(3);
    RangeResponse inside = (RangeResponse) r.responses().get(3);
    assertThat(Fixture.keys(inside)).containsExactly("a", "b");
  }

  @Test
  void readOnlyTxnDoesNotAdvanceTheRevision() {
    f.put("a", "1");
    TxnResponse r =
        (TxnResponse) f.apply(txn(List.of(), List.of(RangeRequest.of(b("a"))), List.of()));
    assertThat(r.revision()).isEqualTo(2);
    assertThat(f.store.revision()).isEqualTo(2);
  }

  @Test
  void nestedTxnComparesSeeTheStateBeforeTheTxn() {
    Compare absent = Compare.number(Target.VERSION, b("a"), Result.EQUAL, 0);
    TxnRequest nested =
        txn(List.of(absent), List.of(put("b", "saw-absent")), List.of(put("b", "saw-present")));
    TxnResponse r =
        (TxnResponse) f.apply(txn(List.of(), List.of(put("a", "1"), nested), List.of()));
    assertThat(r.succeeded()).isTrue();
    assertThat(f.get("b")).isEqualTo("saw-absent");
  }

  @Test
  void aKeyWrittenTwiceInOneBranchIsADuplicate() {
    assertThat(error(f.apply(txn(List.of(), List.of(put("a", "1"), put("a", "2")), List.of()))))
        .isEqualTo(KvErrorCode.DUPLICATE_KEY);
    assertThat(
            error(
                f.apply(
                    txn(
                        List.of(),
                        List.of(put("b", "1"), DeleteRangeRequest.range(b("a"), b("c"))),
                        List.of()))))
        .isEqualTo(KvErrorCode.DUPLICATE_KEY);
    TxnRequest inner = txn(List.of(), List.of(put("a", "1")), List.of());
    assertThat(error(f.apply(txn(List.of(), List.of(put("a", "1"), inner), List.of()))))
        .isEqualTo(KvErrorCode.DUPLICATE_KEY);
    assertThat(f.store.revision()).isEqualTo(1);
  }

  @Test
  void sameKeyInBothBranchesOrBothNestedBranchesIsFine() {
    TxnRequest inner = txn(List.of(), List.of(put("a", "then")), List.of(put("a", "else")));
    assertThat(f.apply(txn(List.of(), List.of(inner), List.of(put("a", "outer-else")))))
        .isInstanceOf(TxnResponse.class);
    assertThat(f.get("a")).isEqualTo("then");
    assertThat(
            f.apply(
                txn(
                    List.of(),
                    List.of(
                        DeleteRangeRequest.of(b("a")), DeleteRangeRequest.range(b("a"), b("b"))),
                    List.of())))
        .isInstanceOf(TxnResponse.class);
  }

  @Test
  void tooManyOpsAndUnknownLeaseRefuseTheWholeTxn() {
    List<TxnOp> ops = new ArrayList<>();
    for (int i = 0; i <= KvLimits.defaults().txnOpsMax(); i++) {
      ops.add(put("k" + i, "v"));
    }
    assertThat(error(f.apply(txn(List.of(), ops, List.of()))))
        .isEqualTo(KvErrorCode.TOO_MANY_TXN_OPS);
    Response r =
        f.apply(
            txn(
                List.of(),
                List.of(put("a", "1"), PutRequest.of(b("b"), b("2")).withLease(42)),
                List.of()));
    assertThat(error(r)).isEqualTo(KvErrorCode.LEASE_NOT_FOUND);
    assertThat(f.get("a")).isNull();
    assertThat(f.store.revision()).isEqualTo(1);
  }

  @Test
  void onlyTheBranchTakenIsChecked() {
    Compare never = Compare.number(Target.VERSION, b("a"), Result.GREATER, 100);
    TxnResponse r =
        (TxnResponse)
            f.apply(
                txn(
                    List.of(never),
                    List.of(PutRequest.of(b("b"), b("2")).withLease(42)),
                    List.of(put("c", "3"))));
    assertThat(r.succeeded()).isFalse();
    assertThat(f.get("c")).isEqualTo("3");
  }

  @Test
  void rangeInTxnAtFutureOrCompactedRevisionRefusesTheTxn() {
    f.put("a", "1");
    f.put("a", "2");
    f.apply(new CompactRequest(3));
    assertThat(
            error(
                f.apply(
                    txn(
                        List.of(),
                        List.of(put("b", "1"), RangeRequest.of(b("a")).atRevision(2)),
                        List.of()))))
        .isEqualTo(KvErrorCode.COMPACTED);
    assertThat(
            error(
                f.apply(txn(List.of(), List.of(RangeRequest.of(b("a")).atRevision(9)), List.of()))))
        .isEqualTo(KvErrorCode.FUTURE_REVISION);
    assertThat(f.get("b")).isNull();
  }

  @Test
  void hostileNestingIsRefused() {
    TxnRequest deep = txn(List.of(), List.of(put("a", "1")), List.of());
    for (int i = 0; i < KvLimits.defaults().txnDepthMax(); i++) {
      deep = txn(List.of(), List.of(deep), List.of());
    }
    assertThat(error(f.apply(deep))).isEqualTo(KvErrorCode.INVALID_ARGUMENT);
  }
}
