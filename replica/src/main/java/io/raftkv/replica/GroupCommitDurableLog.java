package io.raftkv.replica;

import io.raftkv.raft.DurableState;
import io.raftkv.raft.Snapshot;
import io.raftkv.storage.GroupCommitLog;
import io.raftkv.storage.PersistBatch;
import io.raftkv.storage.RaftStorage;

/**
 * Production durability: batches go to storage's WAL thread, which group-commits them; each
 * completion hops back onto the replica's event loop. A failed fsync never completes: storage's
 * fatal handler has already stopped the process (STYLE.md §6).
 */
public final class GroupCommitDurableLog implements DurableLog {
  private final RaftStorage storage;
  private final GroupCommitLog groupCommit;
  private final EventLoop loop;
  private final DurableState recovered;

  public GroupCommitDurableLog(RaftStorage storage, GroupCommitLog groupCommit, EventLoop loop) {
    this.storage = storage;
    this.groupCommit = groupCommit;
    this.loop = loop;
    this.recovered = storage.recovered();
  }

  @Override
  public DurableState recovered() {
    return recovered;
  }

  @Override
  public void persist(PersistBatch batch, Runnable onDurable) {
    // A failed batch never completes onDurable: storage's fatal handler stopped the process.
    var unused = groupCommit.submit(batch).thenRun(() -> loop.execute(onDurable));
  }

  @Override
  public void saveSnapshot(Snapshot snapshot, Runnable onDurable) {
    var unused = groupCommit.compact(snapshot).thenRun(() -> loop.execute(onDurable));
  }

  /** The storage underneath, for status pages (segment counts, sync counts). */
  public RaftStorage storage() {
    return storage;
  }
}
