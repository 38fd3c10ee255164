package io.raftkv.server.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.Event;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.PutResponse;
import io.etcd.jetcd.api.WatchCreateRequest;
import io.etcd.jetcd.api.WatchResponse;
import io.raftkv.server.ServerLimits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A client that does not read its watch stream: the member pauses the watch (its replica stream
 * closes, so nothing piles up) instead of queueing without bound, and once the client reads again
 * the watch resumes from history and delivers every revision once, in order, then goes on live.
 */
class WatchBackPressureTest {
  /** 64 KiB requests: the sender's backlog is 128 KiB. */
  private static final ServerLimits SMALL = new ServerLimits(64 * 1024, 128, 1L << 30);

  private static final int PUTS = 160;
  private static final int VALUE_BYTES = 30 * 1024;

  @Test
  void aClientThatDoesNotReadPausesItsWatchWhichResumesWithNoGapAndNoRepeat() throws Exception {
    try (EtcdTestCluster cluster = new EtcdTestCluster(1, SMALL, c -> c)) {
      EtcdTestCluster.Node node = cluster.awaitLeader();
      try (RawWatch slow = new RawWatch(node.channel(), false, false)) {
        slow.create(
            WatchCreateRequest.newBuilder()
                .setKey(ByteString.copyFromUtf8("bp/"))
                .setRangeEnd(ByteString.copyFromUtf8("bp0"))
                .build());
        slow.read(1);
        assertThat(slow.next().getCreated()).isTrue();
        assertThat(openWatchStreams(node)).isEqualTo(1);

        // 4.8 MB of events: more than the client's 1 MiB flow-control window and the backlog.
        List<ListenableFuture<PutResponse>> puts = new ArrayList<>();
        for (int i = 0; i < PUTS; i++) {
          puts.add(
              KVGrpc.newFutureStub(node.channel())
                  .withDeadlineAfter(Duration.ofSeconds(60))
                  .put(
                      PutRequest.newBuilder()
                          .setKey(ByteString.copyFromUtf8("bp/" + i))
                          .setValue(ByteString.copyFromUtf8("v".repeat(VALUE_BYTES)))
                          .build()));
        }
        long firstRevision = Long.MAX_VALUE;
        long lastRevision = 0;
        for (ListenableFuture<PutResponse> put : puts) {
          long revision = put.get(60, TimeUnit.SECONDS).getHeader().getRevision();
          firstRevision = Math.min(firstRevision, revision);
          lastRevision = Math.max(lastRevision, revision);
        }
        EtcdTestCluster.awaitTrue(
            "the unread watch paused: no replica stream open",
            () -> openWatchStreams(node) == 0,
            Duration.ofSeconds(20));

        slow.read(Integer.MAX_VALUE);
        List<Long> revisions = new ArrayList<>();
        while (revisions.isEmpty() || revisions.get(revisions.size() - 1) < lastRevision) {
          WatchResponse response = slow.next();
          for (Event event : response.getEventsList()) {
            revisions.add(event.getKv().getModRevision());
          }
        }
        List<Long> expected = new ArrayList<>();
        for (long r = firstRevision; r <= lastRevision; r++) {
          expected.add(r);
        }
        assertThat(revisions).as("every revision once, in order").isEqualTo(expected);
        EtcdTestCluster.awaitTrue(
            "the watch resumed", () -> openWatchStreams(node) == 1, Duration.ofSeconds(20));
        long live =
            KVGrpc.newBlockingStub(node.channel())
                .withDeadlineAfter(Duration.ofSeconds(20))
                .put(
                    PutRequest.newBuilder()
                        .setKey(ByteString.copyFromUtf8("bp/live"))
                        .setValue(ByteString.copyFromUtf8("x"))
                        .build())
                .getHeader()
                .getRevision();
        assertThat(slow.next().getEvents(0).getKv().getModRevision()).isEqualTo(live);
      }
    }
  }

  private static int openWatchStreams(EtcdTestCluster.Node node) {
    CompletableFuture<Integer> open = new CompletableFuture<>();
    node.loop().execute(() -> open.complete(node.replica().status().watches().openCount()));
    return open.join();
  }
}
