package io.raftkv.kv;

import java.util.List;

/**
 * What one poll of a watch yields: events of whole revisions, in revision order. When the watch's
 * next revision was compacted away, {@code compactRevision} says where history starts now and the
 * watch is canceled, as etcd's compacted watch response.
 */
public record WatchBatch(
    long revision, List<Event> events, long compactRevision, boolean canceled) {
  public WatchBatch {
    events = List.copyOf(events);
  }
}
