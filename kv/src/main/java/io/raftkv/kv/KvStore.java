package io.raftkv.kv;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The key-value state machine: etcd v3's data model, applied from a log. Deterministic: the same
 * commands at the same indexes give the same state and answers on every replica; nothing here reads
 * a clock, a random source or the environment.
 *
 * <p>Threading: one thread (the apply thread) calls everything, except that a {@link KvSnapshot}
 * may be written from another thread while applies continue.
 */
public final class KvStore {
  private final KvLimits limits;
  private final RequestChecker checker;
  private final AtomicInteger snapshotPins = new AtomicInteger();
  private final StoreState state;
  private final WatchHub hub;
  private final Applier applier;

  /** Revision of the physical compaction pass in progress; 0 when none is. */
  private long compactionPassRevision;

  /** Last key the pass in progress has compacted; null at its start. */
  private byte[] compactionCursor;

  public KvStore(KvLimits limits) {
    this(limits, new StoreState(limits.sessionsMax()));
  }

  private KvStore(KvLimits limits, StoreState state) {
    this.limits = limits;
    this.checker = new RequestChecker(limits);
    this.state = state;
    this.hub = new WatchHub(state, limits.watchEventsMax());
    this.applier = new Applier(state, limits, hub);
  }

  /** A store as it was when {@code snapshot} was written; its watchers start empty. */
  public static KvStore restore(InputStream snapshot, KvLimits limits) throws IOException {
    return new KvStore(limits, new SnapshotReader(snapshot, limits).read());
  }

  /**
   * Applies the log entry at {@code index} (each index once, increasing). Bytes that do not decode
   * are answered with MALFORMED_COMMAND and change nothing but the applied index.
   */
  public Response apply(long index, byte[] command) {
    Command decoded;
    try {
      decoded = CommandCodec.decode(command);
    } catch (MalformedCommandException e) {
      advance(index);
      return new ErrorResponse(state.revision, KvErrorCode.MALFORMED_COMMAND, e.getMessage());
    }
    return apply(index, decoded);
  }

  /** As {@link #apply(long, byte[])}, for a command already decoded. */
  public Response apply(long index, Command command) {
    advance(index);
    Response response =
        command.clientId() == 0
            ? execute(index, command.request())
            : executeInSession(index, command);
    compactPhysicallyIfUnpinned();
    return response;
  }

  private void advance(long index) {
    Invariants.check(
        index > state.appliedIndex, "apply index %d after applied %d", index, state.appliedIndex);
    state.appliedIndex = index;
  }

  private Response execute(long index, Request request) {
    try {
      checker.check(request);
      return applier.apply(index, request);
    } catch (KvException e) {
      return new ErrorResponse(state.revision, e.code(), e.detail());
    }
  }

  /** Raft thesis §6.3: a sequence already applied gets its stored answer, not a second apply. */
  private Response executeInSession(long index, Command command) {
    Sessions.Session session = state.sessions.get(command.clientId());
    if (session == null) {
      return new ErrorResponse(
          state.revision, KvErrorCode.SESSION_EXPIRED, "client " + command.clientId());
    }
    if (command.request() instanceof SessionOpenRequest || command.sequence() < 1) {
      return new ErrorResponse(
          state.revision,
          KvErrorCode.INVALID_ARGUMENT,
          "a session write needs sequence >= 1 and cannot open a session");
    }
    if (command.sequence() == session.lastSequence()) {
      return session.lastResponse();
    }
    if (command.sequence() < session.lastSequence()) {
      return new ErrorResponse(
          state.revision,
          KvErrorCode.SESSION_SEQUENCE_STALE,
          "client "
              + command.clientId()
              + " sequence "
              + command.sequence()
              + " < last "
              + session.lastSequence());
    }
    Response response = execute(index, command.request());
    state.sessions.record(command.clientId(), command.sequence(), response);
    return response;
  }

  /**
   * Compaction is logical at once (reads below it fail) and physical in slices of at most {@code
   * compactionSliceKeysMax} keys after each apply, so a pass over a large store never stalls the
   * apply thread for long (a whole pass at 1M keys takes about a second). Slices wait while a
   * snapshot is being written, because it may still need the versions they would drop. A compaction
   * arriving mid-pass starts its own pass when this one ends. None of this is visible: reads,
   * watches and snapshots filter by the compact revision themselves.
   */
  private void compactPhysicallyIfUnpinned() {
    if (compactionPassRevision == 0) {
      if (state.physicalCompactRevision == state.compactRevision) {
        return;
      }
      compactionPassRevision = state.compactRevision;
      compactionCursor = null;
    }
    if (snapshotPins.get() != 0) {
      return;
    }
    compactionCursor =
        state.history.compact(
            compactionPassRevision, compactionCursor, limits.compactionSliceKeysMax());
    if (compactionCursor == null) {
      state.physicalCompactRevision = compactionPassRevision;
      compactionPassRevision = 0;
    }
  }

  /** Refuses, without applying, what apply would refuse without looking at state. */
  public void check(Request request) {
    checker.check(request);
  }

  /** A read (serializable: at this replica's applied state). Throws {@link KvException}. */
  public RangeResponse range(RangeRequest request) {
    checker.check(request);
    return RangeReader.range(state.history, request, state.revision, state.compactRevision);
  }

  /** Registers a watcher; events reach it as revisions are applied. */
  public Watch watch(WatchRequest request, WatchListener listener) {
    return hub.register(request, listener);
  }

  /** A point-in-time image; cheap to take, write it from any thread, then close it. */
  public KvSnapshot snapshot() {
    return new KvSnapshot(state, snapshotPins);
  }

  public long revision() {
    return state.revision;
  }

  public long compactRevision() {
    return state.compactRevision;
  }

  public long appliedIndex() {
    return state.appliedIndex;
  }

  /** Keys with a chain (live, or deleted but not yet compacted away). */
  public int keyCount() {
    return state.history.keyCount();
  }

  /** Whether a physical compaction pass is still working through the keys. */
  public boolean compactionPassActive() {
    return compactionPassRevision != 0;
  }

  /** For tests: the ordered and the hash index agree. */
  void checkIndexesAgree() {
    state.history.checkIndexesAgree();
  }

  public int watchCount() {
    return hub.count();
  }

  public Optional<LeaseInfo> lease(long id) {
    return Optional.ofNullable(state.leases.info(id));
  }

  /** Every lease in id order. */
  public List<LeaseInfo> leases() {
    List<LeaseInfo> all = new ArrayList<>();
    for (long id : state.leases.ttls().keySet()) {
      all.add(state.leases.info(id));
    }
    return all;
  }

  public KvLimits limits() {
    return limits;
  }
}
