package io.raftkv.server.etcd;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.etcd.jetcd.api.WatchCreateRequest;
import io.etcd.jetcd.api.WatchRequest;
import io.etcd.jetcd.api.WatchResponse;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.raftkv.kv.Bytes;
import io.raftkv.kv.Event;
import io.raftkv.replica.WatchEnd;
import io.raftkv.replica.WatchObserver;
import io.raftkv.replica.WatchStream;
import io.raftkv.server.NodeContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One client's Watch stream with its many watches (etcd's serverWatchStream). Each watch is a
 * replica {@link WatchStream} served from this member's applied state; its events, the created and
 * canceled answers and progress answers all leave through one {@link SerialSender}, in the order
 * the event loop produced them. Watch ids count from 0 per stream, as etcd's.
 */
final class WatchSession implements StreamObserver<WatchRequest> {
  /** etcd's "not a watch": progress answers and refused creations carry it. */
  static final long NO_WATCH_ID = -1;

  /** etcd 3.4's WatchCreateRequest.fragment, missing from jetcd's message. */
  static final int CREATE_FRAGMENT_FIELD = 8;

  /** etcd 3.4's WatchResponse.fragment, missing from jetcd's message. */
  static final int RESPONSE_FRAGMENT_FIELD = 7;

  private final NodeContext node;
  private final Headers headers;
  private final SerialSender<WatchResponse> sender;
  private final Map<Long, WatchStream> watches = new HashMap<>();
  private long nextWatchId;
  private boolean ended;

  WatchSession(NodeContext node, Headers headers, SerialSender<WatchResponse> sender) {
    this.node = node;
    this.headers = headers;
    this.sender = sender;
  }

  @Override
  public void onNext(WatchRequest request) {
    switch (request.getRequestUnionCase()) {
      case CREATE_REQUEST -> create(request.getCreateRequest());
      case CANCEL_REQUEST -> cancel(request.getCancelRequest().getWatchId());
      case PROGRESS_REQUEST -> progress();
      case REQUESTUNION_NOT_SET -> {} // etcd ignores what it does not know
    }
  }

  private void create(WatchCreateRequest create) {
    // etcd: an empty key is "\0", the smallest key.
    Bytes key = create.getKey().isEmpty() ? Bytes.copyOf(new byte[] {0}) : bytes(create.getKey());
    Bytes rangeEnd = bytes(create.getRangeEnd());
    boolean allFromKey = rangeEnd.length() == 1 && rangeEnd.byteAt(0) == 0;
    if (!rangeEnd.isEmpty() && !allFromKey && rangeEnd.compareTo(key) <= 0) {
      CompletableFuture<Void> unused =
          headers
              .current()
              .thenAccept(
                  header ->
                      sender.send(
                          WatchResponse.newBuilder()
                              .setHeader(header)
                              .setWatchId(NO_WATCH_ID)
                              .setCreated(true)
                              .setCanceled(true)
                              .setCancelReason(EtcdErrors.WATCHER_RANGE_EMPTY)
                              .build()));
      return;
    }
    boolean noPut = create.getFiltersValueList().contains(0);
    boolean noDelete = create.getFiltersValueList().contains(1);
    boolean fragment =
        !create.getUnknownFields().getField(CREATE_FRAGMENT_FIELD).getVarintList().stream()
            .allMatch(v -> v == 0);
    long id;
    synchronized (this) {
      if (ended) {
        return;
      }
      id = nextWatchId++;
    }
    node.loop()
        .execute(
            () -> {
              // The created answer carries the revision the watch starts after, read on the loop
              // right before opening it, so no write can fall in between.
              long revision = node.replica().revision();
              sender.send(
                  WatchResponse.newBuilder()
                      .setHeader(headers.onLoop())
                      .setWatchId(id)
                      .setCreated(true)
                      .build());
              long start = create.getStartRevision() > 0 ? create.getStartRevision() : revision + 1;
              io.raftkv.kv.WatchRequest watch =
                  new io.raftkv.kv.WatchRequest(
                      key, rangeEnd, start, create.getPrevKv(), noPut, noDelete);
              WatchStream stream = node.replica().watch(watch, new Observer(id, fragment));
              synchronized (this) {
                if (ended) {
                  stream.cancel();
                } else {
                  watches.put(id, stream);
                }
              }
            });
  }

  /** etcd answers a cancel of an unknown id with nothing. */
  private void cancel(long watchId) {
    WatchStream stream;
    synchronized (this) {
      stream = watches.get(watchId);
    }
    if (stream != null) {
      stream.cancel();
    }
  }

  /** etcd 3.4: the current revision, to every watch of the stream (watch id -1). */
  private void progress() {
    node.loop()
        .execute(
            () ->
                sender.send(
                    WatchResponse.newBuilder()
                        .setHeader(headers.onLoop())
                        .setWatchId(NO_WATCH_ID)
                        .build()));
  }

  private static Bytes bytes(ByteString bytes) {
    return KvProtos.bytes(bytes);
  }

  /** The client closed its side, or went away: every watch of the stream ends. */
  @Override
  public void onError(Throwable t) {
    endAll();
    sender.close();
  }

  /**
   * The client will send no more requests; as etcd, the watches go on until it cancels the call.
   */
  @Override
  public void onCompleted() {}

  private void endAll() {
    List<WatchStream> open;
    synchronized (this) {
      ended = true;
      open = new ArrayList<>(watches.values());
      watches.clear();
    }
    open.forEach(WatchStream::cancel);
  }

  /** One watch's events and end, on the event loop. */
  private final class Observer implements WatchObserver {
    private final long id;
    private final boolean fragment;

    Observer(long id, boolean fragment) {
      this.id = id;
      this.fragment = fragment;
    }

    @Override
    public void onEvents(List<Event> events) {
      WatchResponse.Builder response =
          WatchResponse.newBuilder().setHeader(headers.onLoop()).setWatchId(id);
      for (Event event : events) {
        response.addEvents(KvProtos.event(event));
      }
      if (fragment) {
        WatchFragments.split(response.build(), node.limits().maxRequestBytes())
            .forEach(sender::send);
      } else {
        sender.send(response.build());
      }
    }

    @Override
    public void onEnd(WatchEnd end) {
      synchronized (WatchSession.this) {
        watches.remove(id);
      }
      switch (end.reason()) {
        case CANCELED, REFUSED ->
            sender.send(
                WatchResponse.newBuilder()
                    .setHeader(headers.onLoop())
                    .setWatchId(id)
                    .setCanceled(true)
                    .setCancelReason(end.reason() == WatchEnd.Reason.REFUSED ? end.message() : "")
                    .build());
        case COMPACTED ->
            sender.send(
                WatchResponse.newBuilder()
                    .setHeader(headers.onLoop())
                    .setWatchId(id)
                    .setCanceled(true)
                    .setCompactRevision(end.compactRevision())
                    .setCancelReason(EtcdErrors.COMPACTED)
                    .build());
        case STOPPED -> {
          // The member is going away: the client must reconnect (to another member) and resume.
          endAll();
          sender.fail(EtcdErrors.status(Status.Code.UNAVAILABLE, EtcdErrors.STOPPED));
        }
      }
    }
  }

  /** etcd's sendFragments: a response over the limit goes in pieces, all but the last marked. */
  static final class WatchFragments {
    private WatchFragments() {}

    static List<WatchResponse> split(WatchResponse whole, int bytesMax) {
      if (whole.getSerializedSize() < bytesMax || whole.getEventsCount() < 2) {
        return List.of(whole);
      }
      List<WatchResponse> pieces = new ArrayList<>();
      WatchResponse.Builder current = whole.toBuilder().clearEvents();
      for (int i = 0; i < whole.getEventsCount(); i++) {
        current.addEvents(whole.getEvents(i));
        if (current.getEventsCount() > 1 && current.build().getSerializedSize() >= bytesMax) {
          current.removeEvents(current.getEventsCount() - 1);
          pieces.add(marked(current.build()));
          current = whole.toBuilder().clearEvents().addEvents(whole.getEvents(i));
        }
      }
      pieces.add(current.build());
      return pieces;
    }

    private static WatchResponse marked(WatchResponse piece) {
      UnknownFieldSet fragment =
          UnknownFieldSet.newBuilder()
              .addField(
                  RESPONSE_FRAGMENT_FIELD, UnknownFieldSet.Field.newBuilder().addVarint(1).build())
              .build();
      return piece.toBuilder().setUnknownFields(fragment).build();
    }
  }
}
