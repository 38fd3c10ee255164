package io.raftkv.server.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.Empty;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.PutResponse;
import io.etcd.jetcd.api.RangeRequest;
import io.grpc.CallOptions;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Exactly-once writes through a follower: the session opens through the leader, a write repeated
 * with the same sequence applies once and answers the first answer, forwarded calls keep their
 * session, and a write on an unknown session or an old sequence is refused.
 */
class SessionServiceTest {
  @Test
  void aRepeatedSequenceAppliesOnceEvenThroughAFollower() {
    try (EtcdTestCluster cluster = new EtcdTestCluster(3)) {
      EtcdTestCluster.Node follower = cluster.follower();
      long clientId =
          EtcdTestCluster.retryUnavailable(
                  () ->
                      ClientCalls.blockingUnaryCall(
                          follower.channel(),
                          SessionService.OPEN,
                          CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS),
                          Empty.getDefaultInstance()))
              .getValue();
      assertThat(clientId).isPositive();

      PutRequest put = put("once", "v");
      PutResponse first =
          EtcdTestCluster.retryUnavailable(() -> inSession(follower, clientId, 1).put(put));
      PutResponse repeated = inSession(follower, clientId, 1).put(put);
      assertThat(repeated.getHeader().getRevision()).isEqualTo(first.getHeader().getRevision());
      assertThat(version(follower, "once")).isEqualTo(1);

      inSession(follower, clientId, 2).put(put);
      assertThat(version(follower, "once")).as("a new sequence applies").isEqualTo(2);

      // The control: without a session the same repeat applies twice.
      plain(follower).put(put("twice", "v"));
      plain(follower).put(put("twice", "v"));
      assertThat(version(follower, "twice")).isEqualTo(2);

      assertThatThrownBy(() -> inSession(follower, clientId, 1).put(put))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION));
      assertThatThrownBy(() -> inSession(follower, clientId + 1_000_000, 1).put(put))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e ->
                  assertThat(e.getStatus().getDescription())
                      .startsWith("raftkv: client session expired or unknown"));
      assertThat(version(follower, "once")).isEqualTo(2);
    }
  }

  private static PutRequest put(String key, String value) {
    return PutRequest.newBuilder()
        .setKey(ByteString.copyFromUtf8(key))
        .setValue(ByteString.copyFromUtf8(value))
        .build();
  }

  private static KVGrpc.KVBlockingStub plain(EtcdTestCluster.Node node) {
    return KVGrpc.newBlockingStub(node.channel()).withDeadlineAfter(Duration.ofSeconds(60));
  }

  private static KVGrpc.KVBlockingStub inSession(
      EtcdTestCluster.Node node, long clientId, long sequence) {
    return plain(node)
        .withInterceptors(
            MetadataUtils.newAttachHeadersInterceptor(
                new SessionService.ClientSession(clientId, sequence).headers()));
  }

  private static long version(EtcdTestCluster.Node node, String key) {
    return plain(node)
        .range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8(key)).build())
        .getKvs(0)
        .getVersion();
  }
}
