package io.raftkv.replica;

import io.raftkv.kv.Event;
import java.util.List;

/**
 * Receives one watch stream of a replica, on the replica's event loop (etcd's stream of
 * WatchResponses). Must not block: hand the events on and return.
 */
public interface WatchObserver {
  /**
   * Events of one or more whole revisions, oldest first. Across calls the revisions only grow: none
   * is delivered twice, none of the watched range is skipped.
   */
  void onEvents(List<Event> events);

  /** The stream ended and nothing more follows; {@code end} says why and where to resume. */
  void onEnd(WatchEnd end);
}
