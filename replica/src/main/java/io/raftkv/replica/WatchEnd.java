package io.raftkv.replica;

import io.raftkv.raft.NodeId;

/**
 * Why a watch stream ended. A client resumes on this or another replica with a new watch from the
 * revision after the last event it received, except after {@link Reason#COMPACTED}, where history
 * before {@code compactRevision} is gone and the watch can only start from there.
 *
 * @param reason why
 * @param compactRevision with {@link Reason#COMPACTED}: the oldest revision still kept (etcd's
 *     {@code compact_revision}); 0 otherwise
 * @param message for people: which node, what happened
 */
public record WatchEnd(Reason reason, long compactRevision, String message) {
  public enum Reason {
    /**
     * The revision the stream needed next was compacted away (etcd cancels the watch with {@code
     * compact_revision} set); events before {@code compactRevision} cannot be delivered.
     */
    COMPACTED,
    /** The replica stopped (shut down, or a disk failure). */
    STOPPED,
    /** The client canceled it. */
    CANCELED,
    /** The request is invalid whatever the state (an empty key or range). */
    REFUSED
  }

  /** The replica {@code id} stopped, or was stopped when the watch arrived. */
  static WatchEnd stopped(NodeId id) {
    return new WatchEnd(Reason.STOPPED, 0, id + ": stopped");
  }

  public WatchEnd {
    if ((reason == Reason.COMPACTED) != (compactRevision > 0)) {
      throw new IllegalArgumentException(
          "watch end " + reason + " with compactRevision " + compactRevision);
    }
  }
}
