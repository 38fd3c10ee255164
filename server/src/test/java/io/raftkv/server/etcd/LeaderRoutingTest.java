package io.raftkv.server.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.PutResponse;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.RangeResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A follower serves writes through the leader and linearizable reads with its read index. */
class LeaderRoutingTest {
  @Test
  void writesOnAFollowerReachTheLeaderAndReadsThereSeeThem() {
    try (EtcdTestCluster cluster = new EtcdTestCluster(3)) {
      EtcdTestCluster.Node follower = cluster.follower();
      KVGrpc.KVBlockingStub stub =
          KVGrpc.newBlockingStub(follower.channel()).withDeadlineAfter(Duration.ofSeconds(60));
      PutRequest request =
          PutRequest.newBuilder()
              .setKey(ByteString.copyFromUtf8("routed"))
              .setValue(ByteString.copyFromUtf8("v"))
              .build();
      PutResponse put = EtcdTestCluster.retryUnavailable(() -> stub.put(request));
      assertThat(put.getHeader().getMemberId()).isEqualTo(follower.memberId);
      RangeResponse read =
          EtcdTestCluster.retryUnavailable(
              () ->
                  stub.range(
                      RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("routed")).build()));
      assertThat(read.getKvs(0).getValue().toStringUtf8()).isEqualTo("v");
      assertThat(read.getHeader().getRevision())
          .isGreaterThanOrEqualTo(put.getHeader().getRevision());
      assertThat(read.getHeader().getMemberId()).isEqualTo(follower.memberId);
    }
  }
}
