package io.raftkv.kv;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The writes of one revision: puts and deletes get consecutive sub-revisions, and the revision only
 * advances if something changed (etcd: a delete that deleted nothing is no revision).
 */
final class WriteTxn {
  private final StoreState state;
  private final long revision;
  private int changeCount;

  /** Null when no watcher is registered: events are then not even built. */
  private final List<Event> events;

  WriteTxn(StoreState state, boolean collectEvents) {
    this.state = state;
    this.revision = state.revision + 1;
    this.events = collectEvents ? new ArrayList<>() : null;
  }

  /** The revision reads inside this txn see: its own once it has written. */
  long readRevision() {
    return changeCount > 0 ? revision : revision - 1;
  }

  /** Writes {@code key}; returns the version it replaced, or null if the key was absent. */
  Version put(byte[] key, byte[] value, long lease) {
    Version head = state.history.head(key);
    Version prev = head == null || head.isTombstone() ? null : head;
    long create = prev == null ? revision : prev.createRevision;
    long version = prev == null ? 1 : prev.version + 1;
    Version next = new Version(create, revision, changeCount, version, lease, value, head);
    state.history.prepend(key, next);
    changeCount++;
    if (prev != null) {
      state.leases.detach(prev.lease, key);
    }
    state.leases.attach(lease, key);
    if (events != null) {
      events.add(new Event(Event.Type.PUT, next.toKeyValue(key), toKv(key, prev)));
    }
    return prev;
  }

  /** Deletes {@code key} if it exists; returns the version deleted, or null. */
  Version delete(byte[] key) {
    Version head = state.history.head(key);
    if (head == null || head.isTombstone()) {
      return null;
    }
    Version tombstone = Version.tombstone(revision, changeCount++, head);
    state.history.prepend(key, tombstone);
    state.leases.detach(head.lease, key);
    if (events != null) {
      events.add(new Event(Event.Type.DELETE, tombstone.toKeyValue(key), toKv(key, head)));
    }
    return head;
  }

  private static Optional<KeyValue> toKv(byte[] key, Version v) {
    return v == null ? Optional.empty() : Optional.of(v.toKeyValue(key));
  }

  /** Ends the revision; returns the events to hand to watchers (empty if none). */
  List<Event> commit() {
    if (changeCount > 0) {
      state.revision = revision;
    }
    return events == null ? List.of() : events;
  }
}
