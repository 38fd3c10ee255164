package io.raftkv.replica;

/**
 * The snapshotter: the state machine's images, taken here or installed from the leader.
 *
 * @param lastSnapshotIndex the log index the latest snapshot (recovered, saved or installed)
 *     covers; 0 when there is none
 * @param inProgressIndex the index of the snapshot being written or made durable; 0 when none is
 * @param savedCount snapshots this replica took and made durable since it started
 * @param installedCount snapshots from a leader that replaced the state machine since it started
 */
public record SnapshotterStatus(
    long lastSnapshotIndex, long inProgressIndex, long savedCount, long installedCount) {}
