package io.raftkv.server.etcd;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.WatchCreateRequest;
import io.etcd.jetcd.api.WatchRequest;
import io.etcd.jetcd.api.WatchResponse;
import io.grpc.stub.StreamObserver;
import io.raftkv.kv.Bytes;
import io.raftkv.kv.Event;
import io.raftkv.replica.WatchEnd;
import io.raftkv.replica.WatchObserver;
import io.raftkv.replica.WatchStream;
import io.raftkv.server.NodeContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.Executor;

/**
 * One client's Watch stream with its many watches (etcd's serverWatchStream). Each watch reads a
 * replica {@link WatchStream} served from this member's applied state; its events, the created and
 * canceled answers and progress answers all leave through one {@link SerialSender}, in the order
 * the event loop produced them. Watch ids count from 0 per stream, as etcd's. Every request and
 * every watch's state is handled on the event loop, so a cancel always meets the watch its create
 * opened.
 *
 * <p>A client that reads too slowly: once the sender holds more than {@link #backlogBytes} the
 * watches that produce events pause (their replica streams close, remembering the first revision
 * not sent) and resume from history when the client has caught up, as etcd moves a blocked watcher
 * to its unsynced group: no revision repeats and none is skipped; one compacted meanwhile cancels
 * the watch with the compact revision, as etcd's.
 */
final class WatchSession implements StreamObserver<WatchRequest> {
  /** etcd's "not a watch": progress answers and refused creations carry it. */
  static final long NO_WATCH_ID = -1;

  /** etcd's "let the server pick" in a create's watch_id. */
  static final long AUTO_WATCH_ID = 0;

  /** etcd 3.4's WatchCreateRequest.watch_id (0: the server picks), missing from jetcd's. */
  static final int CREATE_WATCH_ID_FIELD = 7;

  /** etcd 3.4's WatchCreateRequest.fragment, missing from jetcd's message. */
  static final int CREATE_FRAGMENT_FIELD = 8;

  /** etcd 3.4's WatchResponse.fragment, missing from jetcd's message. */
  static final int RESPONSE_FRAGMENT_FIELD = 7;

  /** Backlog of at least this much, whatever --max-request-bytes. */
  static final long BACKLOG_BYTES_MIN = 64 * 1024;

  private final NodeContext node;
  private final Headers headers;
  private final SerialSender<WatchResponse> sender;
  private final Runnable leaveMonitor;

  /** The stream's watches by id; this and the fields below are the event loop's. */
  private final Map<Long, OneWatch> watches = new TreeMap<>();

  private final SplittableRandom jitter;
  private long nextWatchId;
  private boolean ended;
  private boolean progressTimerRunning;

  WatchSession(
      NodeContext node,
      Headers headers,
      LeaderMonitor monitor,
      StreamObserver<WatchResponse> out,
      Executor responder) {
    this.node = node;
    this.headers = headers;
    this.sender =
        new SerialSender<>(
            out, responder, backlogBytes(node), () -> node.loop().execute(this::resumePaused));
    this.leaveMonitor = monitor.enlist(this::endWithNoLeader);
    this.jitter = new SplittableRandom(node.memberId() ^ System.identityHashCode(this));
  }

  /** Two of the largest requests: a watch pauses once that much waits for its client. */
  static long backlogBytes(NodeContext node) {
    return Math.max(BACKLOG_BYTES_MIN, 2L * node.limits().maxRequestBytes());
  }

  @Override
  public void onNext(WatchRequest request) {
    switch (request.getRequestUnionCase()) {
      case CREATE_REQUEST -> node.loop().execute(() -> create(request.getCreateRequest()));
      case CANCEL_REQUEST ->
          node.loop().execute(() -> cancel(request.getCancelRequest().getWatchId()));
      case PROGRESS_REQUEST -> node.loop().execute(this::progress);
      case REQUESTUNION_NOT_SET -> {} // etcd ignores what it does not know
    }
  }

  private void create(WatchCreateRequest create) {
    if (ended) {
      return;
    }
    // etcd: an empty key is "\0", the smallest key.
    Bytes key = create.getKey().isEmpty() ? Bytes.copyOf(new byte[] {0}) : bytes(create.getKey());
    Bytes rangeEnd = bytes(create.getRangeEnd());
    boolean allFromKey = rangeEnd.length() == 1 && rangeEnd.byteAt(0) == 0;
    if (!rangeEnd.isEmpty() && !allFromKey && rangeEnd.compareTo(key) <= 0) {
      sender.send(
          response(NO_WATCH_ID)
              .setCreated(true)
              .setCanceled(true)
              .setCancelReason(EtcdErrors.WATCHER_RANGE_EMPTY)
              .build());
      return;
    }
    long id = chosenWatchId(create);
    if (id != AUTO_WATCH_ID && watches.containsKey(id)) {
      sender.send(
          response(NO_WATCH_ID)
              .setCreated(true)
              .setCanceled(true)
              .setCancelReason(EtcdErrors.WATCHER_DUPLICATE_ID)
              .build());
      return;
    }
    if (id == AUTO_WATCH_ID) {
      id = nextFreeWatchId();
    }
    boolean fragment =
        !create.getUnknownFields().getField(CREATE_FRAGMENT_FIELD).getVarintList().stream()
            .allMatch(v -> v == 0);
    // The created answer carries the revision the watch starts after, read on the loop right
    // before opening it, so no write can fall in between.
    long start =
        create.getStartRevision() > 0 ? create.getStartRevision() : node.replica().revision() + 1;
    var request =
        new io.raftkv.kv.WatchRequest(
            key,
            rangeEnd,
            start,
            create.getPrevKv(),
            create.getFiltersValueList().contains(0),
            create.getFiltersValueList().contains(1));
    OneWatch watch = new OneWatch(id, request, fragment, create.getProgressNotify());
    watches.put(watch.id, watch);
    sender.send(response(watch.id).setCreated(true).build());
    watch.attach();
    if (watch.progressNotify && !progressTimerRunning) {
      progressTimerRunning = true;
      scheduleProgressNotify();
    }
  }

  /** The id a client chose (etcd 3.4's watch_id), or {@link #AUTO_WATCH_ID}: the last one sent. */
  private static long chosenWatchId(WatchCreateRequest create) {
    List<Long> sent = create.getUnknownFields().getField(CREATE_WATCH_ID_FIELD).getVarintList();
    return sent.isEmpty() ? AUTO_WATCH_ID : sent.get(sent.size() - 1);
  }

  /** As etcd: counting up from 0, past the ids clients chose that are still in use. */
  private long nextFreeWatchId() {
    while (watches.containsKey(nextWatchId)) {
      nextWatchId++;
    }
    return nextWatchId++;
  }

  /** etcd answers a cancel of an unknown id with nothing. */
  private void cancel(long watchId) {
    OneWatch watch = watches.get(watchId);
    if (watch != null) {
      watch.close();
      watches.remove(watchId);
      sender.send(response(watchId).setCanceled(true).build());
    }
  }

  /** etcd 3.4: the current revision, to every watch of the stream (watch id -1). */
  private void progress() {
    sender.send(response(NO_WATCH_ID).build());
  }

  /**
   * etcd's progress ticker: every interval (plus up to a tenth of jitter, so streams opened
   * together do not all answer at once), each progress_notify watch that was sent nothing since the
   * last tick hears the current revision, if it has heard every event up to it.
   */
  private void scheduleProgressNotify() {
    Duration interval = node.progressNotifyInterval();
    long jitterNanos = jitter.nextLong(Math.max(1, interval.toNanos() / 10));
    node.loop()
        .schedule(
            interval.plusNanos(jitterNanos),
            () -> {
              if (ended) {
                return;
              }
              for (OneWatch watch : watches.values()) {
                if (watch.progressNotify && watch.quietSinceTick && watch.isSynced()) {
                  sender.send(response(watch.id).build());
                }
                watch.quietSinceTick = true;
              }
              scheduleProgressNotify();
            });
  }

  private WatchResponse.Builder response(long watchId) {
    return WatchResponse.newBuilder().setHeader(headers.onLoop()).setWatchId(watchId);
  }

  private static Bytes bytes(ByteString bytes) {
    return KvProtos.bytes(bytes);
  }

  /** The client closed its side, or went away: every watch of the stream ends. */
  @Override
  public void onError(Throwable t) {
    sender.close();
    node.loop().execute(this::endAll);
  }

  /**
   * The client will send no more requests; as etcd, the watches go on until it cancels the call.
   */
  @Override
  public void onCompleted() {}

  /** etcd's leader monitor ended the stream: this member has had no leader for too long. */
  private void endWithNoLeader() {
    node.loop()
        .execute(
            () -> {
              endAll();
              sender.fail(EtcdErrors.noLeader());
            });
  }

  private void endAll() {
    ended = true;
    leaveMonitor.run();
    watches.values().forEach(OneWatch::close);
    watches.clear();
  }

  /** The client has read what was waiting: paused watches go on from where they stopped. */
  private void resumePaused() {
    for (OneWatch watch : List.copyOf(watches.values())) {
      if (!ended && watch.paused) {
        watch.attach();
      }
    }
  }

  /**
   * One watch of the stream: the replica stream it reads now (none while paused) and the first
   * revision its client has not been sent, where a paused watch resumes.
   */
  private final class OneWatch {
    final long id;
    final io.raftkv.kv.WatchRequest request;
    final boolean fragment;
    final boolean progressNotify;
    long nextRevision;
    boolean paused;
    boolean quietSinceTick = true;
    private WatchStream stream;
    private Attachment attachment;

    OneWatch(long id, io.raftkv.kv.WatchRequest request, boolean fragment, boolean progress) {
      this.id = id;
      this.request = request;
      this.fragment = fragment;
      this.progressNotify = progress;
      this.nextRevision = request.startRevision();
    }

    void attach() {
      paused = false;
      attachment = new Attachment(this);
      stream = node.replica().watch(request.from(nextRevision), attachment);
    }

    boolean isSynced() {
      return !paused && stream != null && stream.isSynced();
    }

    /** Stops reading; what the replica stream still delivers is ignored. */
    void close() {
      if (attachment != null) {
        attachment.detached = true;
        stream.cancel();
        attachment = null;
        stream = null;
      }
    }

    void pause() {
      close();
      paused = true;
    }

    void send(List<Event> events) {
      WatchResponse.Builder response = response(id);
      for (Event event : events) {
        response.addEvents(KvProtos.event(event));
      }
      if (fragment) {
        WatchFragments.split(response.build(), node.limits().maxRequestBytes())
            .forEach(sender::send);
      } else {
        sender.send(response.build());
      }
      nextRevision = events.get(events.size() - 1).revision() + 1;
      quietSinceTick = false;
    }
  }

  /** One replica stream of a watch, on the event loop; ignored once detached. */
  private final class Attachment implements WatchObserver {
    private final OneWatch watch;
    boolean detached;

    Attachment(OneWatch watch) {
      this.watch = watch;
    }

    @Override
    public void onEvents(List<Event> events) {
      if (detached) {
        return;
      }
      if (sender.backlogged()) {
        // These events are not sent: the watch reads them again from history when it resumes.
        watch.pause();
        return;
      }
      watch.send(events);
    }

    @Override
    public void onEnd(WatchEnd end) {
      if (detached) {
        return;
      }
      watches.remove(watch.id);
      switch (end.reason()) {
        case CANCELED, REFUSED ->
            sender.send(
                response(watch.id)
                    .setCanceled(true)
                    .setCancelReason(end.reason() == WatchEnd.Reason.REFUSED ? end.message() : "")
                    .build());
        case COMPACTED ->
            sender.send(
                response(watch.id)
                    .setCanceled(true)
                    .setCompactRevision(end.compactRevision())
                    .setCancelReason(EtcdErrors.COMPACTED)
                    .build());
        case STOPPED -> {
          // The member is going away: the client must reconnect (to another member) and resume.
          endAll();
          sender.fail(EtcdErrors.status(io.grpc.Status.Code.UNAVAILABLE, EtcdErrors.STOPPED));
        }
      }
    }
  }
}
