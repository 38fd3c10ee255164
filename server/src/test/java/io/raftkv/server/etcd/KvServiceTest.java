package io.raftkv.server.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.CompactionRequest;
import io.etcd.jetcd.api.Compare;
import io.etcd.jetcd.api.DeleteRangeRequest;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.KeyValue;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.PutResponse;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.RangeResponse;
import io.etcd.jetcd.api.RequestOp;
import io.etcd.jetcd.api.TxnRequest;
import io.etcd.jetcd.api.TxnResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.raftkv.server.AlarmState;
import io.raftkv.server.ServerLimits;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * etcd's KV service on one member (its forwarding through a leader: {@link LeaderRoutingTest}).
 * "leader" and "follower" here are two channels to that member.
 */
class KvServiceTest {
  private static EtcdTestCluster cluster;
  private static EtcdTestCluster.Node leaderNode;
  private static EtcdTestCluster.Node followerNode;

  @BeforeAll
  static void start() {
    cluster = new EtcdTestCluster(1, new ServerLimits(4096, 8, 1L << 30), c -> c);
    leaderNode = cluster.awaitLeader();
    followerNode = leaderNode;
  }

  private static KVGrpc.KVBlockingStub leader() {
    return KVGrpc.newBlockingStub(leaderNode.channel()).withDeadlineAfter(Duration.ofSeconds(20));
  }

  private static KVGrpc.KVBlockingStub follower() {
    return KVGrpc.newBlockingStub(followerNode.channel()).withDeadlineAfter(Duration.ofSeconds(20));
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static ByteString bytes(String text) {
    return ByteString.copyFromUtf8(text);
  }

  private static PutResponse put(KVGrpc.KVBlockingStub stub, String key, String value) {
    return stub.put(PutRequest.newBuilder().setKey(bytes(key)).setValue(bytes(value)).build());
  }

  private static RangeResponse get(KVGrpc.KVBlockingStub stub, String key) {
    return stub.range(RangeRequest.newBuilder().setKey(bytes(key)).build());
  }

  private static RangeResponse prefix(String prefix) {
    return follower()
        .range(
            RangeRequest.newBuilder()
                .setKey(bytes(prefix))
                .setRangeEnd(
                    bytes(
                        prefix.substring(0, prefix.length() - 1)
                            + (char) (prefix.charAt(prefix.length() - 1) + 1)))
                .build());
  }

  private static void assertEtcdError(Runnable call, Status.Code code, String message) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(code);
              assertThat(e.getStatus().getDescription()).isEqualTo(message);
            });
  }

  @Test
  void putThroughAFollowerIsReadBackLinearizablyEverywhere() {
    PutResponse put = put(follower(), "kv/a", "1");
    assertThat(put.getHeader().getMemberId()).isEqualTo(followerNode.memberId);
    assertThat(put.getHeader().getClusterId()).isEqualTo(followerNode.clusterId);
    assertThat(put.getHeader().getRaftTerm()).isPositive();
    assertThat(put.getHeader().getRevision()).isGreaterThan(1);
    for (KVGrpc.KVBlockingStub stub : List.of(leader(), follower())) {
      RangeResponse read = get(stub, "kv/a");
      assertThat(read.getKvsList()).extracting(KeyValue::getValue).containsExactly(bytes("1"));
      assertThat(read.getHeader().getRevision())
          .isGreaterThanOrEqualTo(put.getHeader().getRevision());
    }
  }

  @Test
  void putReturnsPrevKvAndKeepsValueOrLeaseWhenAsked() {
    put(leader(), "prev/k", "old");
    PutResponse second =
        follower()
            .put(
                PutRequest.newBuilder()
                    .setKey(bytes("prev/k"))
                    .setValue(bytes("new"))
                    .setPrevKv(true)
                    .build());
    assertThat(second.getPrevKv().getValue()).isEqualTo(bytes("old"));
    follower().put(PutRequest.newBuilder().setKey(bytes("prev/k")).setIgnoreValue(true).build());
    assertThat(get(follower(), "prev/k").getKvs(0).getValue()).isEqualTo(bytes("new"));
    assertThat(get(follower(), "prev/k").getKvs(0).getVersion()).isEqualTo(3);
  }

  @Test
  void rangeHonoursLimitSortCountAndKeysOnly() {
    for (String key : List.of("r/c", "r/a", "r/b")) {
      put(follower(), key, "v-" + key);
    }
    RangeResponse limited =
        follower()
            .range(
                RangeRequest.newBuilder()
                    .setKey(bytes("r/"))
                    .setRangeEnd(bytes("r0"))
                    .setLimit(2)
                    .setSortOrder(RangeRequest.SortOrder.DESCEND)
                    .setKeysOnly(true)
                    .build());
    assertThat(limited.getKvsList())
        .extracting(kv -> kv.getKey().toStringUtf8())
        .containsExactly("r/c", "r/b");
    assertThat(limited.getKvs(0).getValue()).isEmpty();
    assertThat(limited.getMore()).isTrue();
    assertThat(limited.getCount()).isEqualTo(3);
    RangeResponse counted =
        follower()
            .range(
                RangeRequest.newBuilder()
                    .setKey(bytes("r/"))
                    .setRangeEnd(bytes("r0"))
                    .setCountOnly(true)
                    .setSerializable(true)
                    .build());
    assertThat(counted.getKvsList()).isEmpty();
    assertThat(counted.getCount()).isEqualTo(3);
  }

  @Test
  void deleteRangeReturnsPrevKvs() {
    put(leader(), "d/1", "x");
    put(leader(), "d/2", "y");
    var deleted =
        follower()
            .deleteRange(
                DeleteRangeRequest.newBuilder()
                    .setKey(bytes("d/"))
                    .setRangeEnd(bytes("d0"))
                    .setPrevKv(true)
                    .build());
    assertThat(deleted.getDeleted()).isEqualTo(2);
    assertThat(deleted.getPrevKvsList())
        .extracting(kv -> kv.getValue().toStringUtf8())
        .containsExactly("x", "y");
    assertThat(prefix("d/").getKvsList()).isEmpty();
  }

  @Test
  void txnComparesAndRunsTheBranchWithNestedTxns() {
    long created = put(leader(), "t/k", "v1").getHeader().getRevision();
    TxnRequest txn =
        TxnRequest.newBuilder()
            .addCompare(
                Compare.newBuilder()
                    .setKey(bytes("t/k"))
                    .setTarget(Compare.CompareTarget.CREATE)
                    .setResult(Compare.CompareResult.EQUAL)
                    .setCreateRevision(created))
            .addCompare(
                Compare.newBuilder()
                    .setKey(bytes("t/k"))
                    .setTarget(Compare.CompareTarget.VALUE)
                    .setResult(Compare.CompareResult.EQUAL)
                    .setValue(bytes("v1")))
            .addSuccess(
                RequestOp.newBuilder()
                    .setRequestPut(
                        PutRequest.newBuilder().setKey(bytes("t/k")).setValue(bytes("v2"))))
            .addSuccess(
                RequestOp.newBuilder()
                    .setRequestTxn(
                        TxnRequest.newBuilder()
                            .addSuccess(
                                RequestOp.newBuilder()
                                    .setRequestRange(
                                        RangeRequest.newBuilder().setKey(bytes("t/k"))))))
            .addFailure(
                RequestOp.newBuilder()
                    .setRequestRange(RangeRequest.newBuilder().setKey(bytes("t/k"))))
            .build();
    TxnResponse first = follower().txn(txn);
    assertThat(first.getSucceeded()).isTrue();
    assertThat(
            first
                .getResponses(1)
                .getResponseTxn()
                .getResponses(0)
                .getResponseRange()
                .getKvs(0)
                .getValue())
        .isEqualTo(bytes("v2"));
    TxnResponse second = follower().txn(txn);
    assertThat(second.getSucceeded()).isFalse();
    assertThat(second.getResponses(0).getResponseRange().getKvs(0).getValue())
        .isEqualTo(bytes("v2"));
  }

  @Test
  void limitsAnswerWithEtcdsCodesAndMessages() {
    assertEtcdError(
        () -> put(follower(), "", "v"),
        Status.Code.INVALID_ARGUMENT,
        "etcdserver: key is not provided");
    assertEtcdError(
        () -> get(follower(), ""), Status.Code.INVALID_ARGUMENT, "etcdserver: key is not provided");
    assertEtcdError(
        () -> put(follower(), "big", "x".repeat(5000)),
        Status.Code.INVALID_ARGUMENT,
        "etcdserver: request is too large");
    TxnRequest.Builder many = TxnRequest.newBuilder();
    for (int i = 0; i < 9; i++) {
      many.addSuccess(
          RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(bytes("m" + i))));
    }
    assertEtcdError(
        () -> follower().txn(many.build()),
        Status.Code.INVALID_ARGUMENT,
        "etcdserver: too many operations in txn request");
    RequestOp dup =
        RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(bytes("dup"))).build();
    assertEtcdError(
        () -> follower().txn(TxnRequest.newBuilder().addSuccess(dup).addSuccess(dup).build()),
        Status.Code.INVALID_ARGUMENT,
        "etcdserver: duplicate key given in txn request");
    assertEtcdError(
        () -> follower().put(PutRequest.newBuilder().setKey(bytes("l")).setLease(12345).build()),
        Status.Code.NOT_FOUND,
        "etcdserver: requested lease not found");
    assertEtcdError(
        () ->
            follower()
                .range(RangeRequest.newBuilder().setKey(bytes("k")).setRevision(1_000_000).build()),
        Status.Code.OUT_OF_RANGE,
        "etcdserver: mvcc: required revision is a future revision");
  }

  @Test
  void compactionRefusesOlderReadsAndRepeatedCompactions() {
    long first = put(leader(), "c/k", "1").getHeader().getRevision();
    long second = put(leader(), "c/k", "2").getHeader().getRevision();
    follower()
        .compact(CompactionRequest.newBuilder().setRevision(second).setPhysical(true).build());
    assertEtcdError(
        () ->
            follower()
                .range(RangeRequest.newBuilder().setKey(bytes("c/k")).setRevision(first).build()),
        Status.Code.OUT_OF_RANGE,
        "etcdserver: mvcc: required revision has been compacted");
    assertEtcdError(
        () -> follower().compact(CompactionRequest.newBuilder().setRevision(first).build()),
        Status.Code.OUT_OF_RANGE,
        "etcdserver: mvcc: required revision has been compacted");
    assertEtcdError(
        () -> follower().compact(CompactionRequest.newBuilder().setRevision(1_000_000).build()),
        Status.Code.OUT_OF_RANGE,
        "etcdserver: mvcc: required revision is a future revision");
    assertThat(
            follower()
                .range(RangeRequest.newBuilder().setKey(bytes("c/k")).setRevision(second).build())
                .getKvs(0)
                .getValue())
        .isEqualTo(bytes("2"));
  }

  @Test
  void noSpaceRefusesPutsButNotDeletesOrReads() {
    put(leader(), "ns/k", "v");
    followerNode.alarms.raise(AlarmState.Type.NOSPACE, "test");
    try {
      assertEtcdError(
          () -> put(follower(), "ns/k", "w"),
          Status.Code.RESOURCE_EXHAUSTED,
          "etcdserver: mvcc: database space exceeded");
      assertThat(get(follower(), "ns/k").getKvs(0).getValue()).isEqualTo(bytes("v"));
      assertThat(
              follower()
                  .deleteRange(DeleteRangeRequest.newBuilder().setKey(bytes("ns/k")).build())
                  .getDeleted())
          .isEqualTo(1);
    } finally {
      followerNode.alarms.disarm(AlarmState.Type.NOSPACE);
    }
  }
}
