package io.raftkv.replica;

import io.raftkv.kv.Event;
import io.raftkv.kv.KvException;
import io.raftkv.kv.KvStore;
import io.raftkv.kv.Watch;
import io.raftkv.kv.WatchBatch;
import io.raftkv.kv.WatchRequest;
import java.util.List;

/**
 * One client's watch on a replica, served from the replica's own applied state, as etcd serves a
 * watch from the member the client is connected to: a follower's stream lags its applies, never the
 * order. It reads a kv {@link Watch} (whose bounded buffer and catch-up from history do the real
 * work) and pushes what it polls to its {@link WatchObserver}. When a leader's snapshot replaces
 * the state machine, the stream reopens on the new one from the revision it needs next, as etcd's
 * watchable store moves its watchers to unsynced on restore: no revision repeats, none is skipped,
 * and a compaction in between ends the stream with {@link WatchEnd.Reason#COMPACTED}.
 *
 * <p>Everything but {@link #cancel()} runs on the replica's event loop.
 */
public final class WatchStream {
  /** Events per poll; a catch-up is read in slices of about this many. */
  private static final int EVENTS_PER_POLL = 256;

  /** Polls per loop task before the rest waits behind the loop's other work. */
  private static final int POLLS_PER_TASK = 4;

  private final WatchRequest request;
  private final WatchObserver observer;
  private final EventLoop loop;
  private final WatchStreams owner;

  /** The kv watcher of the current state machine. */
  private Watch watch;

  /** For messages: the stream's number on its replica, 0 until opened. */
  private long id;

  /** The first revision not yet delivered: where the stream reopens after a restore. */
  private long nextRevision;

  private boolean pollQueued;
  private boolean ended;

  WatchStream(WatchRequest request, WatchObserver observer, EventLoop loop, WatchStreams owner) {
    this.request = request;
    this.observer = observer;
    this.loop = loop;
    this.owner = owner;
  }

  /** Ends the stream with {@link WatchEnd.Reason#CANCELED}. Callable from any thread. */
  public void cancel() {
    loop.execute(() -> end(new WatchEnd(WatchEnd.Reason.CANCELED, 0, "watch " + id + " canceled")));
  }

  /** Registers on {@code kv}: from the start revision asked, or from the next write. */
  boolean open(long number, KvStore kv) {
    id = number;
    if (ended) {
      return false; // canceled before the loop got to opening it
    }
    long start = request.startRevision() > 0 ? request.startRevision() : kv.revision() + 1;
    try {
      attach(kv, start);
      return true;
    } catch (KvException e) {
      end(new WatchEnd(WatchEnd.Reason.REFUSED, 0, e.getMessage()));
      return false;
    }
  }

  /** A snapshot replaced the state machine: read {@code kv} from {@code from} on. */
  void reopen(KvStore kv, long from) {
    watch.cancel();
    attach(kv, from);
  }

  long nextRevision() {
    return nextRevision;
  }

  /**
   * Whether the observer has heard everything up to the replica's applied revision: the stream is
   * open and no poll is pending (etcd's synced watcher; a progress notification is only true of
   * such a stream). On the loop only.
   */
  public boolean isSynced() {
    return watch != null && !pollQueued && !ended;
  }

  private void attach(KvStore kv, long from) {
    watch = kv.watch(request.from(from), w -> queuePoll());
    nextRevision = from;
    // A past start revision catches up from history, which no apply will announce.
    queuePoll();
  }

  private void queuePoll() {
    if (!pollQueued && !ended) {
      pollQueued = true;
      loop.execute(this::poll);
    }
  }

  private void poll() {
    pollQueued = false;
    for (int polls = 0; polls < POLLS_PER_TASK && !ended; polls++) {
      WatchBatch batch = watch.poll(EVENTS_PER_POLL);
      if (batch.canceled()) {
        end(
            new WatchEnd(
                WatchEnd.Reason.COMPACTED,
                batch.compactRevision(),
                "watch "
                    + id
                    + ": revision "
                    + nextRevision
                    + " is compacted; history starts at "
                    + batch.compactRevision()));
        return;
      }
      List<Event> events = batch.events();
      if (events.isEmpty()) {
        return;
      }
      nextRevision = events.get(events.size() - 1).revision() + 1;
      observer.onEvents(events);
    }
    // A catch-up may have more to read; the loop's other work goes first.
    queuePoll();
  }

  /** Ends the stream once: the observer hears {@code end}, the kv watcher is removed. */
  void end(WatchEnd end) {
    if (ended) {
      return;
    }
    ended = true;
    if (watch != null) {
      watch.cancel();
    }
    owner.remove(this);
    observer.onEnd(end);
  }
}
