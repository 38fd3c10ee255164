package io.raftkv.server.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.LeaseGrantRequest;
import io.etcd.jetcd.api.LeaseGrpc;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.WatchCreateRequest;
import io.etcd.jetcd.api.WatchResponse;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * etcd's WithRequireLeader on a member cut off from the others: its streams that asked for a leader
 * end with "etcdserver: no leader" after three election timeouts without one; a new call is refused
 * at once; a stream that did not ask goes on and, once the partition heals, misses nothing.
 */
class LeaderMonitorTest {
  private static ByteString bytes(String text) {
    return ByteString.copyFromUtf8(text);
  }

  private static Channel requiringLeader(Channel channel) {
    Metadata headers = new Metadata();
    headers.put(LeaderMonitor.REQUIRE_LEADER_KEY, LeaderMonitor.HAS_LEADER);
    return ClientInterceptors.intercept(
        channel, MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  @Test
  void streamsRequiringALeaderEndWithNoLeaderOthersGoOn() throws Exception {
    try (EtcdTestCluster cluster = new EtcdTestCluster(3)) {
      EtcdTestCluster.Node follower = cluster.follower();
      long lease =
          EtcdTestCluster.retryUnavailable(
                  () ->
                      LeaseGrpc.newBlockingStub(follower.channel())
                          .withDeadlineAfter(Duration.ofSeconds(20))
                          .leaseGrant(LeaseGrantRequest.newBuilder().setTTL(60).build()))
              .getID();
      WatchCreateRequest create =
          WatchCreateRequest.newBuilder().setKey(bytes("lm/")).setRangeEnd(bytes("lm0")).build();
      try (RawWatch required = new RawWatch(follower.channel(), true, true);
          RawWatch plain = new RawWatch(follower.channel())) {
        required.create(create);
        plain.create(create);
        assertThat(required.next().getCreated()).isTrue();
        assertThat(plain.next().getCreated()).isTrue();
        RawKeepAlive keepAlive = new RawKeepAlive(requiringLeader(follower.channel()));
        keepAlive.keepAlive(lease);
        assertThat(keepAlive.answers.poll(20, TimeUnit.SECONDS)).isNotNull();

        follower.isolated = true;
        EtcdTestCluster.awaitTrue(
            "the isolated follower loses its leader",
            () -> follower.leader().isEmpty(),
            Duration.ofSeconds(20));
        long lostAt = System.nanoTime();
        assertNoLeader(required.ended.get(20, TimeUnit.SECONDS));
        Duration streamLived = Duration.ofNanos(System.nanoTime() - lostAt);
        assertNoLeader(keepAlive.ended.get(20, TimeUnit.SECONDS));
        // Three checks one election timeout (500 ms) apart all saw no leader: at least 1 s.
        assertThat(streamLived).isGreaterThan(Duration.ofMillis(900));
        try (RawWatch refused = new RawWatch(follower.channel(), true, true)) {
          assertNoLeader(refused.ended.get(20, TimeUnit.SECONDS));
        }
        assertThat(plain.ended).isNotDone();

        follower.isolated = false;
        long revision =
            EtcdTestCluster.retryUnavailable(
                    () ->
                        KVGrpc.newBlockingStub(cluster.awaitLeader().channel())
                            .withDeadlineAfter(Duration.ofSeconds(20))
                            .put(
                                PutRequest.newBuilder()
                                    .setKey(bytes("lm/k"))
                                    .setValue(bytes("after"))
                                    .build()))
                .getHeader()
                .getRevision();
        WatchResponse event = plain.next();
        assertThat(event.getEvents(0).getKv().getModRevision()).isEqualTo(revision);
        assertThat(plain.ended).isNotDone();
      }
    }
  }

  private static void assertNoLeader(Throwable end) {
    assertThat(end).isInstanceOf(StatusRuntimeException.class);
    Status status = ((StatusRuntimeException) end).getStatus();
    assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(status.getDescription()).isEqualTo("etcdserver: no leader");
  }
}
