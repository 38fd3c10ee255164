package io.raftkv.kv;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One watcher. While synced it receives each revision's events into a buffer bounded by {@link
 * KvLimits#watchEventsMax()}; when the buffer would overflow it stops receiving and remembers the
 * first revision it missed, and a later poll reads that stretch from history instead (etcd's
 * unsynced watchers). Applying never blocks and memory stays bounded; a watcher that falls behind a
 * compaction is canceled with the compact revision.
 *
 * <p>Owned by the apply thread like the store: poll and cancel from it.
 */
public final class Watch {
  private final long id;
  private final KeyRange range;
  private final WatchRequest request;
  private final WatchHub hub;
  private final WatchListener listener;
  private final ArrayDeque<Event> buffer = new ArrayDeque<>();

  /** False while catching up from history starting at {@link #nextRevision}. */
  private boolean synced;

  private long nextRevision;
  private boolean canceled;

  Watch(
      long id,
      KeyRange range,
      WatchRequest request,
      long nextRevision,
      boolean synced,
      WatchHub hub,
      WatchListener listener) {
    this.id = id;
    this.range = range;
    this.request = request;
    this.nextRevision = nextRevision;
    this.synced = synced;
    this.hub = hub;
    this.listener = listener;
  }

  public long id() {
    return id;
  }

  public boolean isCanceled() {
    return canceled;
  }

  public void cancel() {
    if (!canceled) {
      canceled = true;
      buffer.clear();
      hub.remove(this);
    }
  }

  /**
   * Up to {@code eventsMax} events (more only to finish a revision), oldest first; none when
   * nothing is new. Never returns a revision twice or skips one.
   */
  public WatchBatch poll(int eventsMax) {
    if (eventsMax < 1) {
      throw new KvException(KvErrorCode.INVALID_ARGUMENT, "eventsMax " + eventsMax + " < 1");
    }
    if (canceled) {
      return new WatchBatch(hub.revision(), List.of(), 0, true);
    }
    if (!buffer.isEmpty()) {
      return new WatchBatch(hub.revision(), drain(eventsMax), 0, false);
    }
    if (synced) {
      return new WatchBatch(hub.revision(), List.of(), 0, false);
    }
    if (nextRevision < hub.compactRevision()) {
      long compactRevision = hub.compactRevision();
      cancel();
      return new WatchBatch(hub.revision(), List.of(), compactRevision, true);
    }
    return new WatchBatch(hub.revision(), catchUp(eventsMax), 0, false);
  }

  /**
   * Reads history from {@link #nextRevision} until some events survive this watch's filters or it
   * is synced: an empty batch must mean "nothing more", or a consumer would stop early.
   */
  private List<Event> catchUp(int eventsMax) {
    List<Event> events = new ArrayList<>();
    while (events.isEmpty() && !synced) {
      EventScanner.Scan scan = hub.scan(range, nextRevision, eventsMax);
      for (Event e : scan.events()) {
        Event shaped = shape(e);
        if (shaped != null) {
          events.add(shaped);
        }
      }
      nextRevision = scan.nextRevision();
      if (nextRevision > hub.revision()) {
        synced = true;
      }
    }
    return events;
  }

  private List<Event> drain(int eventsMax) {
    List<Event> out = new ArrayList<>();
    while (!buffer.isEmpty()) {
      Event next = buffer.peekFirst();
      if (out.size() >= eventsMax && next.revision() != out.get(out.size() - 1).revision()) {
        break;
      }
      out.add(buffer.pollFirst());
    }
    return out;
  }

  /** The event as this watcher wants it: filtered out (null), without prevKv, or as is. */
  private Event shape(Event e) {
    if ((e.type() == Event.Type.PUT && request.noPut())
        || (e.type() == Event.Type.DELETE && request.noDelete())) {
      return null;
    }
    if (request.prevKv() || e.prevKv().isEmpty()) {
      return e;
    }
    return new Event(e.type(), e.kv(), Optional.empty());
  }

  KeyRange range() {
    return range;
  }

  boolean isSynced() {
    return synced;
  }

  long startRevision() {
    return request.startRevision();
  }

  /**
   * Offers one revision's events (already matched to this watch's range). Returns false, and falls
   * behind, if the buffer cannot take them.
   */
  void offer(long revision, List<Event> events, int eventsMax) {
    if (!synced || revision < request.startRevision()) {
      return;
    }
    List<Event> shaped = new ArrayList<>(events.size());
    for (Event e : events) {
      Event s = shape(e);
      if (s != null) {
        shaped.add(s);
      }
    }
    if (shaped.isEmpty()) {
      return;
    }
    boolean wasEmpty = buffer.isEmpty();
    if (!wasEmpty && buffer.size() + shaped.size() > eventsMax) {
      synced = false;
      nextRevision = revision;
      return;
    }
    buffer.addAll(shaped);
    if (wasEmpty) {
      listener.readyToPoll(this);
    }
  }

  /** History before {@code compactRevision} is gone; a lagging watcher must hear of it. */
  void compacted(long compactRevision) {
    if (!synced && nextRevision < compactRevision) {
      listener.readyToPoll(this);
    }
  }
}
