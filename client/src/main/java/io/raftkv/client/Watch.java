package io.raftkv.client;

import com.google.common.util.concurrent.MoreExecutors;
import io.etcd.jetcd.api.WatchCreateRequest;
import io.etcd.jetcd.api.WatchResponse;
import java.util.concurrent.Executor;

/**
 * etcd's Watch service, with watches that resume. When a watch's stream breaks (its member died,
 * the network failed) the client opens it again on another member from the revision after the last
 * one it delivered, so no event is lost or repeated. Only a definite end stops a watch, and it
 * always reaches {@link Listener#onEnded}: compaction of revisions it still needed ({@link
 * WatchCompactedException}), a cancel by the server, a bad request, or {@link Watcher#close()}.
 *
 * <pre>{@code
 * Watcher watcher = client.watch().watch(
 *     WatchCreateRequest.newBuilder()
 *         .setKey(ByteString.copyFromUtf8("jobs/"))
 *         .setRangeEnd(ByteString.copyFromUtf8("jobs0")) // every key under jobs/
 *         .build(),
 *     new Watch.Listener() {
 *       public void onEvents(WatchResponse events) {
 *         events.getEventsList().forEach(e -> System.out.println(e.getType() + " " + e.getKv()));
 *       }
 *       public void onEnded(Throwable why) {
 *         System.err.println("watch ended: " + why.getMessage());
 *       }
 *     });
 * ...
 * watcher.close();
 * }</pre>
 */
public final class Watch {
  /** Receives one watch's events, one call at a time, never on a gRPC thread. */
  public interface Listener {
    /** Events in revision order (or, with no events, a progress notification). */
    void onEvents(WatchResponse response);

    /** The watch has ended for good; no call follows. */
    void onEnded(Throwable why);
  }

  private final Calls calls;

  Watch(Calls calls) {
    this.calls = calls;
  }

  /**
   * Starts a watch. {@code request}'s start revision, if set, is where events begin; otherwise they
   * begin after the revision current when the watch is created. Fragmenting is not offered: a
   * response is whole.
   */
  public Watcher watch(WatchCreateRequest request, Listener listener) {
    Executor serial = MoreExecutors.newSequentialExecutor(calls.callbacks());
    ResumingWatch watch = new ResumingWatch(calls, request, listener, serial);
    watch.start();
    return watch;
  }
}
