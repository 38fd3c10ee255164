package io.raftkv.raft;

import java.util.List;
import java.util.Optional;

/**
 * The core's side of the {@link Ready} contract: gathers what changed since the last batch, hands
 * it out once, and on {@link #advance} records what the caller did: its entries are durable, its
 * committed entries and snapshot applied. One Ready is out at a time.
 */
final class ReadyAssembler {
  private final NodeId id;
  private final RaftConfig config;
  private final RaftLog raftLog;
  private final Outbox outbox;
  private final ReadTracker reads;

  /** A leader's snapshot restored into the log, for the caller to install. */
  private Snapshot snapshotToInstall;

  private long appliedIndex;
  private HardState lastHardState;
  private SoftState lastSoftState;

  /** The Ready handed out and not yet advanced, or null. */
  private Ready outstanding;

  ReadyAssembler(
      NodeId id,
      RaftConfig config,
      RaftLog raftLog,
      Outbox outbox,
      ReadTracker reads,
      HardState durable,
      SoftState started) {
    this.id = id;
    this.config = config;
    this.raftLog = raftLog;
    this.outbox = outbox;
    this.reads = reads;
    this.appliedIndex = raftLog.snapshotIndex();
    this.lastHardState = durable;
    this.lastSoftState = started;
  }

  /** The caller's state machine has applied through this index (advanced Readies say so). */
  long appliedIndex() {
    return appliedIndex;
  }

  /** §7: the caller must install {@code snapshot} with the next Ready. */
  void installSnapshot(Snapshot snapshot) {
    snapshotToInstall = snapshot;
  }

  boolean handedOut() {
    return outstanding != null;
  }

  /** Whether a Ready would carry anything, given the node's states now. */
  boolean hasWork(HardState hardState, SoftState softState) {
    return !outbox.isEmpty()
        || raftLog.hasUnpersisted()
        || snapshotToInstall != null
        || !hardState.equals(lastHardState)
        || !softState.equals(lastSoftState)
        || raftLog.hasCommittedToHandOut()
        || reads.hasOutput();
  }

  /** Takes everything gathered; committed entries are handed out through {@code applyThrough}. */
  Ready take(HardState hardState, SoftState softState, long applyThrough) {
    Invariants.check(outstanding == null, "%s: ready() again before advance()", id);
    Optional<HardState> hardChanged = changed(hardState, lastHardState);
    Optional<SoftState> softChanged = changed(softState, lastSoftState);
    lastHardState = hardState;
    lastSoftState = softState;
    outstanding =
        new Ready(
            softChanged,
            outbox.takeSendNow(),
            Optional.ofNullable(snapshotToInstall),
            raftLog.takeUnpersisted(),
            hardChanged,
            outbox.takeSendAfterPersist(),
            raftLog.takeCommitted(config.readyCommittedEntriesMax(), applyThrough),
            reads.takeReady(),
            reads.takeAborted());
    snapshotToInstall = null;
    return outstanding;
  }

  /** The caller did everything {@code ready} asked. */
  // Identity on purpose: an equal Ready built elsewhere, or handed out earlier, is not this one.
  @SuppressWarnings("ReferenceEquality")
  void advance(Ready ready) {
    Invariants.check(ready == outstanding, "%s: advance() with a Ready not handed out last", id);
    outstanding = null;
    List<Entry> persisted = ready.entriesToPersist();
    if (!persisted.isEmpty()) {
      raftLog.markPersisted(persisted.get(persisted.size() - 1).index());
    }
    ready.snapshotToInstall().ifPresent(s -> appliedIndex = Math.max(appliedIndex, s.index()));
    List<Entry> committed = ready.committed();
    if (!committed.isEmpty()) {
      appliedIndex = Math.max(appliedIndex, committed.get(committed.size() - 1).index());
    }
  }

  private static <T> Optional<T> changed(T now, T last) {
    return now.equals(last) ? Optional.empty() : Optional.of(now);
  }
}
