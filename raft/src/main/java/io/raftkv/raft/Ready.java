package io.raftkv.raft;

import java.util.List;
import java.util.Optional;

/**
 * A batch of work the core hands its caller. {@code softState}, when present, says the node's role
 * or known leader changed since the previous Ready; it is news only, with no duty attached, and may
 * be read at any step. The caller must, in this order:
 *
 * <ol>
 *   <li>send {@code sendNow} (safe before persistence: a leader's appends to followers go out in
 *       parallel with its own WAL write, thesis §10.2.1);
 *   <li>make durable, with one fsync: {@code snapshotToInstall}, which replaces the whole stored
 *       log (every stored entry is discarded) and the state machine; then {@code entriesToPersist}
 *       — first discarding every stored entry whose index is at or after the first one given, since
 *       a new leader may have overwritten them — then {@code hardState};
 *   <li>send {@code sendAfterPersist} (votes and acknowledgements promise durability);
 *   <li>apply {@code committed} in order, serve {@code readsReady} once applied through their read
 *       index, fail {@code readsAborted};
 *   <li>call {@link RaftNode#advance(Ready)}.
 * </ol>
 *
 * A crash anywhere in this sequence is safe: what was not persisted was never promised.
 */
public record Ready(
    Optional<SoftState> softState,
    List<Message> sendNow,
    Optional<Snapshot> snapshotToInstall,
    List<Entry> entriesToPersist,
    Optional<HardState> hardState,
    List<Message> sendAfterPersist,
    List<Entry> committed,
    List<ReadState> readsReady,
    List<Long> readsAborted) {

  public boolean isEmpty() {
    return softState.isEmpty()
        && sendNow.isEmpty()
        && snapshotToInstall.isEmpty()
        && entriesToPersist.isEmpty()
        && hardState.isEmpty()
        && sendAfterPersist.isEmpty()
        && committed.isEmpty()
        && readsReady.isEmpty()
        && readsAborted.isEmpty();
  }

  /** True when the caller has something to write before acknowledging. */
  public boolean needsPersistence() {
    return snapshotToInstall.isPresent() || !entriesToPersist.isEmpty() || hardState.isPresent();
  }
}
