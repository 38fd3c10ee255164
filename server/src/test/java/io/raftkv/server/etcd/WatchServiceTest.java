package io.raftkv.server.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.etcd.jetcd.api.CompactionRequest;
import io.etcd.jetcd.api.Event;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.WatchCancelRequest;
import io.etcd.jetcd.api.WatchCreateRequest;
import io.etcd.jetcd.api.WatchProgressRequest;
import io.etcd.jetcd.api.WatchRequest;
import io.etcd.jetcd.api.WatchResponse;
import io.raftkv.server.ServerLimits;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** etcd's Watch stream on one member, through raw stubs so every field can be checked. */
class WatchServiceTest {
  private static EtcdTestCluster cluster;
  private static EtcdTestCluster.Node node;

  @BeforeAll
  static void start() {
    cluster = new EtcdTestCluster(1, new ServerLimits(2048, 128, 1L << 30), c -> c);
    node = cluster.awaitLeader();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static ByteString bytes(String text) {
    return ByteString.copyFromUtf8(text);
  }

  private static long put(String key, String value) {
    return KVGrpc.newBlockingStub(node.channel())
        .withDeadlineAfter(Duration.ofSeconds(20))
        .put(PutRequest.newBuilder().setKey(bytes(key)).setValue(bytes(value)).build())
        .getHeader()
        .getRevision();
  }

  @Test
  void replaysFromAPastRevisionFollowsLiveWritesAndCancels() throws Exception {
    long first = put("wa/k", "1");
    put("wa/k", "2");
    try (RawWatch stream = new RawWatch(node.channel())) {
      stream.create(
          WatchCreateRequest.newBuilder()
              .setKey(bytes("wa/"))
              .setRangeEnd(bytes("wa0"))
              .setStartRevision(first)
              .setPrevKv(true)
              .build());
      WatchResponse created = stream.next();
      assertThat(created.getCreated()).isTrue();
      assertThat(created.getWatchId()).isZero();
      assertThat(created.getHeader().getMemberId()).isEqualTo(node.memberId);
      int seen = 0;
      while (seen < 2) {
        WatchResponse events = stream.next();
        for (Event event : events.getEventsList()) {
          assertThat(event.getKv().getValue().toStringUtf8()).isEqualTo(Integer.toString(++seen));
        }
      }
      put("wa/k", "3");
      Event live = stream.next().getEvents(0);
      assertThat(live.getKv().getValue()).isEqualTo(bytes("3"));
      assertThat(live.getPrevKv().getValue()).isEqualTo(bytes("2"));
      stream.requests.onNext(
          WatchRequest.newBuilder()
              .setCancelRequest(WatchCancelRequest.newBuilder().setWatchId(0))
              .build());
      WatchResponse canceled = stream.next();
      assertThat(canceled.getCanceled()).isTrue();
      assertThat(canceled.getWatchId()).isZero();
    }
  }

  @Test
  void aCompactedStartRevisionCancelsWithTheCompactRevision() throws Exception {
    long first = put("wc/k", "1");
    long second = put("wc/k", "2");
    KVGrpc.newBlockingStub(node.channel())
        .withDeadlineAfter(Duration.ofSeconds(20))
        .compact(CompactionRequest.newBuilder().setRevision(second).build());
    try (RawWatch stream = new RawWatch(node.channel())) {
      stream.create(
          WatchCreateRequest.newBuilder().setKey(bytes("wc/k")).setStartRevision(first).build());
      assertThat(stream.next().getCreated()).isTrue();
      WatchResponse canceled = stream.next();
      assertThat(canceled.getCanceled()).isTrue();
      assertThat(canceled.getCompactRevision()).isEqualTo(second);
      assertThat(canceled.getCancelReason())
          .isEqualTo("etcdserver: mvcc: required revision has been compacted");
    }
  }

  @Test
  void anEmptyRangeIsRefusedAndProgressAnswersWithIdMinusOne() throws Exception {
    try (RawWatch stream = new RawWatch(node.channel())) {
      stream.create(
          WatchCreateRequest.newBuilder().setKey(bytes("b")).setRangeEnd(bytes("a")).build());
      WatchResponse refused = stream.next();
      assertThat(refused.getCreated()).isTrue();
      assertThat(refused.getCanceled()).isTrue();
      assertThat(refused.getWatchId()).isEqualTo(-1);
      assertThat(refused.getCancelReason()).isEqualTo("mvcc: watcher range is empty");
      long revision = put("wp/k", "v");
      stream.requests.onNext(
          WatchRequest.newBuilder()
              .setProgressRequest(WatchProgressRequest.getDefaultInstance())
              .build());
      WatchResponse progress = stream.next();
      assertThat(progress.getWatchId()).isEqualTo(-1);
      assertThat(progress.getHeader().getRevision()).isGreaterThanOrEqualTo(revision);
    }
  }

  /** etcd 3.4's watch_id: taken as asked, refused when in use; automatic ids skip chosen ones. */
  @Test
  void clientChosenWatchIdsAreKeptAndDuplicatesRefusedAsEtcdDoes() throws Exception {
    try (RawWatch stream = new RawWatch(node.channel())) {
      stream.create(withWatchId(42));
      assertCreated(stream.next(), 42);
      stream.create(withWatchId(42));
      WatchResponse duplicate = stream.next();
      assertThat(duplicate.getCreated()).isTrue();
      assertThat(duplicate.getCanceled()).isTrue();
      assertThat(duplicate.getWatchId()).isEqualTo(WatchSession.NO_WATCH_ID);
      assertThat(duplicate.getCancelReason())
          .isEqualTo("mvcc: duplicate watch ID provided on the WatchStream");
      stream.create(withWatchId(1));
      assertCreated(stream.next(), 1);
      stream.create(withWatchId(0));
      assertCreated(stream.next(), 0);
      stream.create(WatchCreateRequest.newBuilder().setKey(bytes("wid/k")).build());
      assertCreated(stream.next(), 2);

      long revision = put("wid/k", "v");
      java.util.Set<Long> heard = new java.util.HashSet<>();
      while (heard.size() < 4) {
        WatchResponse events = stream.next();
        assertThat(events.getEvents(0).getKv().getModRevision()).isEqualTo(revision);
        heard.add(events.getWatchId());
      }
      assertThat(heard).containsExactlyInAnyOrder(42L, 1L, 0L, 2L);
      stream.requests.onNext(
          WatchRequest.newBuilder()
              .setCancelRequest(WatchCancelRequest.newBuilder().setWatchId(42))
              .build());
      WatchResponse canceled = stream.next();
      assertThat(canceled.getCanceled()).isTrue();
      assertThat(canceled.getWatchId()).isEqualTo(42);
    }
  }

  private static WatchCreateRequest withWatchId(long id) {
    return WatchCreateRequest.newBuilder()
        .setKey(bytes("wid/"))
        .setRangeEnd(bytes("wid0"))
        .setUnknownFields(
            UnknownFieldSet.newBuilder()
                .addField(
                    WatchSession.CREATE_WATCH_ID_FIELD,
                    UnknownFieldSet.Field.newBuilder().addVarint(id).build())
                .build())
        .build();
  }

  private static void assertCreated(WatchResponse response, long id) {
    assertThat(response.getCreated()).isTrue();
    assertThat(response.getCanceled()).isFalse();
    assertThat(response.getWatchId()).isEqualTo(id);
  }

  @Test
  void aFragmentingWatchGetsLargeRevisionsInMarkedPieces() throws Exception {
    // Three revisions of 900 bytes each, read back from history in one batch: 2.7 KB, over the
    // 2 KB limit, while each put alone is under it.
    long start = put("wf/1", "x".repeat(900));
    put("wf/2", "y".repeat(900));
    put("wf/3", "z".repeat(900));
    try (RawWatch stream = new RawWatch(node.channel())) {
      WatchCreateRequest create =
          WatchCreateRequest.newBuilder()
              .setKey(bytes("wf/"))
              .setRangeEnd(bytes("wf0"))
              .setStartRevision(start)
              .setUnknownFields(
                  UnknownFieldSet.newBuilder()
                      .addField(
                          WatchSession.CREATE_FRAGMENT_FIELD,
                          UnknownFieldSet.Field.newBuilder().addVarint(1).build())
                      .build())
              .build();
      stream.create(create);
      assertThat(stream.next().getCreated()).isTrue();
      int events = 0;
      int fragments = 0;
      while (events < 3) {
        WatchResponse piece = stream.next();
        events += piece.getEventsCount();
        if (piece.getUnknownFields().hasField(WatchSession.RESPONSE_FRAGMENT_FIELD)) {
          fragments++;
        }
      }
      assertThat(events).isEqualTo(3);
      assertThat(fragments).isPositive();
    }
  }

  @Test
  void aProgressNotifyWatchHearsTheRevisionWhenIdleAndOthersDoNot() throws Exception {
    node.progressNotifyInterval = Duration.ofMillis(200);
    try (RawWatch stream = new RawWatch(node.channel())) {
      stream.create(
          WatchCreateRequest.newBuilder().setKey(bytes("wn/a")).setProgressNotify(true).build());
      long notified = stream.next().getWatchId();
      stream.create(WatchCreateRequest.newBuilder().setKey(bytes("wn/b")).build());
      long quiet = stream.next().getWatchId();
      long revision = put("wn/other", "v");
      long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      int progress = 0;
      while (progress < 2 && System.nanoTime() < end) {
        WatchResponse response = stream.responses.poll(1, TimeUnit.SECONDS);
        if (response == null) {
          continue;
        }
        assertThat(response.getWatchId()).as("only the progress_notify watch").isEqualTo(notified);
        assertThat(response.getEventsCount()).isZero();
        if (response.getHeader().getRevision() >= revision) {
          progress++;
        }
      }
      assertThat(progress).as("progress notifications at the current revision").isEqualTo(2);
      assertThat(quiet).isNotEqualTo(notified);
    } finally {
      node.progressNotifyInterval = Duration.ofMinutes(10);
    }
  }
}
