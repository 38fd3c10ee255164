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
import io.etcd.jetcd.api.WatchGrpc;
import io.etcd.jetcd.api.WatchProgressRequest;
import io.etcd.jetcd.api.WatchRequest;
import io.etcd.jetcd.api.WatchResponse;
import io.grpc.stub.StreamObserver;
import io.raftkv.server.ServerLimits;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
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

  /** A client side of one Watch stream: requests in, responses queued. */
  private static final class Stream implements AutoCloseable {
    final BlockingQueue<WatchResponse> responses = new LinkedBlockingQueue<>();
    final StreamObserver<WatchRequest> requests;

    Stream() {
      requests =
          WatchGrpc.newStub(node.channel())
              .watch(
                  new StreamObserver<>() {
                    @Override
                    public void onNext(WatchResponse value) {
                      responses.add(value);
                    }

                    @Override
                    public void onError(Throwable t) {}

                    @Override
                    public void onCompleted() {}
                  });
    }

    void create(WatchCreateRequest create) {
      requests.onNext(WatchRequest.newBuilder().setCreateRequest(create).build());
    }

    WatchResponse next() throws InterruptedException {
      WatchResponse response = responses.poll(20, TimeUnit.SECONDS);
      assertThat(response).as("a watch response within 20 s").isNotNull();
      return response;
    }

    @Override
    public void close() {
      requests.onError(new RuntimeException("test done"));
    }
  }

  @Test
  void replaysFromAPastRevisionFollowsLiveWritesAndCancels() throws Exception {
    long first = put("wa/k", "1");
    put("wa/k", "2");
    try (Stream stream = new Stream()) {
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
    try (Stream stream = new Stream()) {
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
    try (Stream stream = new Stream()) {
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

  @Test
  void aFragmentingWatchGetsLargeRevisionsInMarkedPieces() throws Exception {
    // Three revisions of 900 bytes each, read back from history in one batch: 2.7 KB, over the
    // 2 KB limit, while each put alone is under it.
    long start = put("wf/1", "x".repeat(900));
    put("wf/2", "y".repeat(900));
    put("wf/3", "z".repeat(900));
    try (Stream stream = new Stream()) {
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
}
