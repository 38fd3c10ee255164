package io.raftkv.replica;

import io.raftkv.raft.RaftStatus;

/**
 * One replica at a glance, for metrics and status pages (as MicroRaft's {@code RaftNodeReport}):
 * the core's view and each component's. A value: taken on the event loop, read anywhere.
 *
 * @param raft the core: role, term, leader, commit, applied, snapshot and last indexes
 * @param stopped the replica stopped; everything after it fails with {@code STOPPED}
 * @param revision the state machine's revision
 * @param ticksOwed ticks the loop's clock says are due and the core has not been given yet (a late
 *     timer, a paused loop); see {@link Replica#ticksOwed()}
 * @param writes proposed writes waiting to apply
 * @param reads linearizable reads waiting for their read index or their apply
 * @param lessor the leader's lease deadlines and revokes
 * @param snapshots snapshots taken, being written, installed
 * @param watches watch streams served
 */
public record ReplicaStatus(
    RaftStatus raft,
    boolean stopped,
    long revision,
    long ticksOwed,
    PendingWritesStatus writes,
    PendingReadsStatus reads,
    LessorStatus lessor,
    SnapshotterStatus snapshots,
    WatchStreamsStatus watches) {}
