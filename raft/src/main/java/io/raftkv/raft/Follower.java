package io.raftkv.raft;

import io.raftkv.raft.Message.AppendEntries;
import io.raftkv.raft.Message.AppendReply;
import io.raftkv.raft.Message.Heartbeat;
import io.raftkv.raft.Message.HeartbeatReply;
import io.raftkv.raft.Message.InstallSnapshot;
import io.raftkv.raft.Message.SnapshotReply;
import java.util.List;
import java.util.Optional;

/**
 * The follower's side of replication: what a node does with its leader's AppendEntries, Heartbeat
 * and InstallSnapshot chunks (§5.3, §7).
 *
 * <p>{@link RaftNode} calls these once the message's term is admitted; each handler first follows
 * the sender, so the node is a follower of this term's leader throughout.
 */
final class Follower {
  private final RaftNode node;
  private final NodeId id;
  private final CoreLog coreLog;
  private final RaftLog raftLog;
  private final Outbox outbox;
  private final SnapshotAssembler snapshotAssembler = new SnapshotAssembler();

  Follower(RaftNode node, RaftLog raftLog, Outbox outbox, CoreLog coreLog) {
    this.node = node;
    this.id = node.id();
    this.coreLog = coreLog;
    this.raftLog = raftLog;
    this.outbox = outbox;
  }

  /** §5.3 receiver rules, with conflict hints for fast backtracking. */
  void handleAppendEntries(AppendEntries append) {
    node.followLeader(append.from());
    long currentTerm = node.currentTerm();
    long prevIndex = append.prevLogIndex();
    long prevTerm = append.prevLogTerm();
    List<Entry> entries = append.entries();
    long commitIndex = raftLog.commitIndex();
    if (prevIndex < commitIndex) {
      // Our log through the commit index equals the leader's (§5.4 leader completeness), so
      // the part of the message up to it is already here.
      int alreadyCommitted = (int) Math.min(entries.size(), commitIndex - prevIndex);
      if (alreadyCommitted == entries.size()) {
        outbox.send(AppendReply.accepted(currentTerm, id, append.from(), commitIndex));
        return;
      }
      entries = entries.subList(alreadyCommitted, entries.size());
      prevIndex = commitIndex;
      prevTerm = raftLog.term(commitIndex);
    }
    if (!raftLog.matches(prevIndex, prevTerm)) {
      rejectAppend(append);
      return;
    }
    long lastNewIndex = raftLog.appendFromLeader(prevIndex, entries);
    raftLog.commitTo(Math.min(append.leaderCommit(), lastNewIndex));
    outbox.send(AppendReply.accepted(currentTerm, id, append.from(), lastNewIndex));
  }

  private void rejectAppend(AppendEntries append) {
    long prevIndex = append.prevLogIndex();
    long conflictTerm;
    long conflictIndex;
    if (prevIndex > raftLog.lastIndex()) {
      conflictTerm = 0;
      conflictIndex = raftLog.lastIndex() + 1;
    } else {
      conflictTerm = raftLog.term(prevIndex);
      conflictIndex = raftLog.firstIndexOfTermAt(prevIndex);
    }
    debug(
        "rejected append from=%s prevIndex=%d prevTerm=%d conflictTerm=%d conflictIndex=%d",
        append.from(), prevIndex, append.prevLogTerm(), conflictTerm, conflictIndex);
    outbox.send(
        AppendReply.rejected(
            node.currentTerm(), id, append.from(), prevIndex, conflictTerm, conflictIndex));
  }

  void handleHeartbeat(Heartbeat heartbeat) {
    node.followLeader(heartbeat.from());
    // The leader caps the commit index at what we are known to hold, so it is safe to take.
    raftLog.commitTo(Math.min(heartbeat.commitIndex(), raftLog.lastIndex()));
    outbox.send(new HeartbeatReply(node.currentTerm(), id, heartbeat.from(), heartbeat.sequence()));
  }

  /** §7: chunks are assembled in order; a complete image is restored unless the log has it. */
  void handleInstallSnapshot(InstallSnapshot chunk) {
    node.followLeader(chunk.from());
    long currentTerm = node.currentTerm();
    if (chunk.snapshotIndex() <= raftLog.commitIndex()) {
      outbox.send(
          SnapshotReply.installed(
              currentTerm, id, chunk.from(), chunk.snapshotIndex(), raftLog.commitIndex()));
      return;
    }
    Optional<Snapshot> complete = snapshotAssembler.accept(chunk);
    if (complete.isEmpty()) {
      outbox.send(
          SnapshotReply.nextChunk(
              currentTerm,
              id,
              chunk.from(),
              chunk.snapshotIndex(),
              snapshotAssembler.nextOffset(
                  chunk.snapshotIndex(), chunk.snapshotTerm(), chunk.term())));
      return;
    }
    Snapshot snapshot = complete.get();
    if (raftLog.matches(snapshot.index(), snapshot.term())) {
      // We hold that entry already: the log is the better copy, only the commit index is news.
      raftLog.commitTo(snapshot.index());
    } else {
      coreLog.info(
          String.format(
              "%s term=%d restoring snapshot index=%d term=%d from %s",
              id, currentTerm, snapshot.index(), snapshot.term(), chunk.from()));
      node.restore(snapshot);
    }
    outbox.send(
        SnapshotReply.installed(currentTerm, id, chunk.from(), snapshot.index(), snapshot.index()));
  }

  private void debug(String format, Object... args) {
    if (coreLog.debugEnabled()) {
      coreLog.debug(id + " term=" + node.currentTerm() + " " + String.format(format, args));
    }
  }
}
