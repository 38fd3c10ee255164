package io.raftkv.storage;

import io.raftkv.raft.Entry;
import io.raftkv.raft.HardState;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write-ahead log: records are {@code stage}d into a memory buffer and {@link #sync()} writes
 * them all and fsyncs once. That split is group commit; the simulator calls the two from its
 * scheduler. {@link GroupCommitLog} pipelines it: {@link #sync()} is {@link #seal()} (take the
 * staged bytes) then {@link #write(Sealed)}, and while one thread writes and fsyncs a sealed batch,
 * others stage the next.
 *
 * <p>Thread rules: staging, {@link #seal()}, {@link #discardStaged()} and the staged-state readers
 * are one side, {@link #write(Sealed)} and compaction the other; each side is single-threaded, and
 * the caller orders the two sides wherever they meet (GroupCommitLog's lock). After a {@link
 * FatalDiskError} every call throws it again: the node must stop and recover from what is on disk.
 */
final class Wal implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Wal.class);

  /** A sealed or active segment: its sequence number and the highest entry index it holds. */
  private record Segment(long seq, long maxIndex) {}

  /**
   * Staged records taken out for writing: their bytes, the highest entry index among them, and the
   * log's state once they are durable.
   */
  record Sealed(GrowableBuffer bytes, long maxIndex, LogState stateAfter) {}

  private static final int BUFFER_BYTES_INITIAL = 1 << 16;

  private final FileSystem fs;
  private final Path dir;
  private final long segmentBytesMax;
  private final long preallocateBytes;
  private final FatalDiskHandler fatalHandler;
  private final List<Segment> segments = new ArrayList<>();
  private GrowableBuffer pending = newBatch();

  /** A written batch's buffer, handed back across the two sides for the next seal to reuse. */
  private final AtomicReference<GrowableBuffer> spare = new AtomicReference<>();

  private FileSystem.WritableFile active;

  /** Where the active segment's records end: the next batch is written here. */
  private long activeBytes;

  /** The active segment's size on disk; past {@link #activeBytes} it is preallocated zeros. */
  private long activeAllocated;

  private volatile LogState durable;
  private LogState staged;
  private long pendingMaxIndex;
  private volatile FatalDiskError failure;
  private volatile long syncCount;

  private Wal(
      FileSystem fs,
      Path dir,
      long segmentBytesMax,
      long preallocateBytes,
      FatalDiskHandler fatalHandler) {
    this.fs = fs;
    this.dir = dir;
    this.segmentBytesMax = segmentBytesMax;
    this.preallocateBytes = Math.min(preallocateBytes, segmentBytesMax);
    this.fatalHandler = fatalHandler;
  }

  /**
   * Recovers the log in {@code dir} (dropping a torn tail) and opens it for appending. The returned
   * state holds every recovered entry; the caller takes them and the WAL forgets them.
   */
  static Wal open(
      FileSystem fs,
      Path dir,
      long segmentBytesMax,
      long preallocateBytes,
      FatalDiskHandler fatalHandler,
      List<Entry> recoveredEntries) {
    Wal wal = new Wal(fs, dir, segmentBytesMax, preallocateBytes, fatalHandler);
    try {
      fs.createDirectories(dir);
      WalRecovery.Result result = WalRecovery.recover(fs, dir, true);
      if (result.torn()) {
        LOG.warn(
            "wal {}: dropped a torn tail of {} bytes at offset {} ({}); the records before"
                + " it are kept",
            result.tornFile(),
            result.tornBytes(),
            result.tornOffset(),
            result.tornReason());
      }
      recoveredEntries.addAll(result.state().entries());
      wal.durable = result.state().copyWithoutEntries();
      wal.staged = wal.durable.copyWithoutEntries();
      for (WalRecovery.SegmentInfo info : result.segments()) {
        wal.segments.add(new Segment(info.seq(), info.maxIndex()));
      }
      if (wal.segments.isEmpty()) {
        wal.startSegment(1);
      } else {
        WalRecovery.SegmentInfo last = result.segments().get(result.segments().size() - 1);
        wal.active = fs.openAppend(dir.resolve(last.fileName()));
        wal.activeAllocated = wal.active.sizeBytes();
        wal.activeBytes = last.bytes();
        wal.active.position(wal.activeBytes);
      }
    } catch (IOException e) {
      throw wal.fatal("opening the wal in " + dir, e);
    }
    return wal;
  }

  long lastIndex() {
    return staged.lastIndex();
  }

  long baseIndex() {
    return durable.baseIndex();
  }

  long baseTerm() {
    return durable.baseTerm();
  }

  HardState hardState() {
    return staged.hardState();
  }

  /** Term of the staged log's entry at {@code index}, or -1 when not in the log. */
  long termAt(long index) {
    return staged.termAt(index);
  }

  long syncCount() {
    return syncCount;
  }

  int segmentCount() {
    return segments.size();
  }

  /**
   * Stages one persistence batch: snapshot marker, term and vote, entries, commit index (see {@link
   * #termAndVoteFirst}). All or nothing: a batch that breaks the log's rules stages nothing and
   * throws.
   */
  void stage(WalRecord.SnapshotMarker marker, List<Entry> entries, HardState hardState) {
    checkUsable();
    // Copying the state per batch was the WAL thread's largest cost under load; a batch of
    // plain appends (no marker, no overwrite) is undone from a mark instead.
    boolean plain = marker == null && appendsAfter(staged.lastIndex(), entries);
    LogState before = plain ? null : staged.copyWithoutEntries();
    LogState.AppendMark appendMark = plain ? staged.appendMark() : null;
    int mark = pending.position();
    long maxBefore = pendingMaxIndex;
    try {
      if (marker != null) {
        staged.snapshot(marker);
        RecordCodec.encode(marker, pending);
      }
      HardState termFirst = termAndVoteFirst(hardState);
      if (termFirst != null) {
        staged.hardState(termFirst);
        RecordCodec.encode(new WalRecord.HardStateRecord(termFirst), pending);
      }
      for (Entry entry : entries) {
        staged.append(entry);
        RecordCodec.encode(new WalRecord.EntryRecord(entry), pending);
        pendingMaxIndex = Math.max(pendingMaxIndex, entry.index());
      }
      if (hardState != null && !hardState.equals(staged.hardState())) {
        staged.hardState(hardState);
        RecordCodec.encode(new WalRecord.HardStateRecord(hardState), pending);
      }
      if (pending.position() > RecordCodec.BATCH_BYTES_MAX) {
        throw new IllegalArgumentException(
            "staged records exceed the largest batch ("
                + RecordCodec.BATCH_BYTES_MAX
                + " bytes); sync first");
      }
    } catch (LogState.LogRuleException | IllegalArgumentException e) {
      if (plain) {
        staged.rollback(appendMark);
      } else {
        staged = before;
      }
      pending.position(mark);
      pendingMaxIndex = maxBefore;
      throw new IllegalArgumentException("refused to stage: " + e.getMessage(), e);
    }
  }

  /**
   * The new term and vote with the commit index already staged, when the term or the vote changes;
   * else null. It goes before the batch's entries, and the new commit index after them: a torn tail
   * keeps a prefix of the batch, and it must keep neither entries of a term the surviving hard
   * state has not reached (simulator, seed 18) nor a commit index that covers entries it lost,
   * which would make a stale entry at that index count as committed on restart (simulator, seed 1
   * with a 25% drift bound).
   */
  private HardState termAndVoteFirst(HardState hardState) {
    HardState previous = staged.hardState();
    if (hardState == null
        || (hardState.currentTerm() == previous.currentTerm()
            && hardState.votedFor().equals(previous.votedFor()))) {
      return null;
    }
    return new HardState(hardState.currentTerm(), hardState.votedFor(), previous.commitIndex());
  }

  /** Whether {@code entries} run on from {@code lastIndex} one by one, overwriting nothing. */
  private static boolean appendsAfter(long lastIndex, List<Entry> entries) {
    long expected = lastIndex + 1;
    for (Entry entry : entries) {
      if (entry.index() != expected++) {
        return false;
      }
    }
    return true;
  }

  boolean hasStaged() {
    return RecordCodec.batchHasRecords(pending);
  }

  /**
   * Writes everything staged and fsyncs once. On return it is all durable. A full disk refuses the
   * whole staged group (nothing of it is durable, its bytes are cut off again) and throws {@link
   * DiskFullException}; a failed fsync is a {@link FatalDiskError}.
   */
  void sync() {
    Sealed sealed = seal();
    if (sealed == null) {
      return;
    }
    try {
      write(sealed);
    } catch (DiskFullException e) {
      discardStaged();
      throw e;
    }
  }

  /** Takes everything staged out for {@link #write}; null when nothing is staged. */
  Sealed seal() {
    checkUsable();
    if (!hasStaged()) {
      return null;
    }
    RecordCodec.endBatch(pending);
    Sealed sealed = new Sealed(pending, pendingMaxIndex, staged.copyWithoutEntries());
    GrowableBuffer reused = spare.getAndSet(null);
    if (reused != null) {
      RecordCodec.beginBatch(reused);
    }
    pending = reused != null ? reused : newBatch();
    pendingMaxIndex = 0;
    return sealed;
  }

  /**
   * Writes a sealed batch and fsyncs once; on return it is durable. A full disk refuses it (its
   * bytes are cut off again) and throws {@link DiskFullException}: what was staged since builds on
   * it, so the caller must {@link #discardStaged()} too.
   */
  @SuppressWarnings("NonAtomicVolatileUpdate") // one writer, the WAL thread; volatile for readers
  void write(Sealed sealed) {
    checkUsable();
    GrowableBuffer bytes = sealed.bytes();
    try {
      if (activeBytes >= segmentBytesMax) {
        rollAndWrite(bytes);
      } else {
        activeAllocated =
            allocate(active, activeAllocated, activeBytes + bytes.position(), activeSeq());
        writeBytes(active, activeBytes, bytes);
        syncFile(active, "segment " + WalRecovery.segmentName(activeSeq()));
      }
      activeBytes += bytes.position();
      Segment last = segments.remove(segments.size() - 1);
      segments.add(new Segment(last.seq(), Math.max(last.maxIndex(), sealed.maxIndex())));
      durable = durable.checkSucceededBy(sealed.stateAfter());
      syncCount++;
    } catch (DiskFullException e) {
      // A refused write was cut off at the records' end, zeros after it included.
      activeAllocated = Math.min(activeAllocated, activeBytes);
      throw e;
    } finally {
      bytes.clear();
      spare.set(bytes);
    }
  }

  /** Forgets everything staged and not yet durable, after a batch under it was refused. */
  void discardStaged() {
    staged = durable.copyWithoutEntries();
    RecordCodec.beginBatch(pending);
    pendingMaxIndex = 0;
  }

  private static GrowableBuffer newBatch() {
    GrowableBuffer buffer = new GrowableBuffer(BUFFER_BYTES_INITIAL);
    RecordCodec.beginBatch(buffer);
    return buffer;
  }

  /**
   * Grows a segment's preallocated zeros to cover {@code end}, a chunk at a time, so that a batch's
   * fdatasync overwrites blocks that exist and needs no journal commit for a new file length.
   * Returns the segment's new size. A full disk refuses the batch: zeros after the records are what
   * a reader expects anyway.
   */
  private long allocate(FileSystem.WritableFile file, long allocated, long end, long seq) {
    if (preallocateBytes <= 0 || end <= allocated) {
      return allocated;
    }
    long target = Math.max(end, allocated + preallocateBytes);
    try {
      file.preallocate(target);
      return target;
    } catch (IOException e) {
      if (Files2.isDiskFull(e)) {
        throw new DiskFullException(
            "wal " + dir + ": disk full preallocating segment " + WalRecovery.segmentName(seq), e);
      }
      throw fatal("preallocating segment " + WalRecovery.segmentName(seq), e);
    }
  }

  /**
   * Deletes the sealed segments that hold nothing above the durable snapshot index: their entries
   * are in the snapshot and every later segment's header restates the log's state. Deleting oldest
   * first keeps every crash point recoverable (docs/wal-format.md).
   */
  int deleteCompactedSegments() {
    checkUsable();
    int deleted = 0;
    try {
      while (segments.size() > 1 && segments.get(0).maxIndex() <= durable.baseIndex()) {
        fs.delete(dir.resolve(WalRecovery.segmentName(segments.get(0).seq())));
        segments.remove(0);
        deleted++;
      }
      if (deleted > 0) {
        syncDirectory();
      }
    } catch (IOException e) {
      throw fatal("deleting compacted segments in " + dir, e);
    }
    return deleted;
  }

  @Override
  public void close() {
    try {
      if (active != null) {
        active.close();
      }
    } catch (IOException e) {
      LOG.warn("wal {}: closing the active segment failed: {}", dir, e.getMessage());
    }
  }

  private long activeSeq() {
    return segments.get(segments.size() - 1).seq();
  }

  private void writeBytes(FileSystem.WritableFile file, long syncedBytes, GrowableBuffer bytes) {
    try {
      file.write(bytes.contents());
    } catch (IOException e) {
      if (!Files2.isDiskFull(e)) {
        throw fatal("writing segment " + WalRecovery.segmentName(activeSeq()), e);
      }
      try {
        // Cut the partial write off again, so the next batch does not follow garbage.
        file.truncate(syncedBytes);
      } catch (IOException truncateFailure) {
        throw fatal(
            "cutting a failed write off segment " + WalRecovery.segmentName(activeSeq()),
            truncateFailure);
      }
      throw new DiskFullException(
          "wal "
              + dir
              + ": disk full writing "
              + bytes.position()
              + " bytes; the batch is refused, everything synced before is kept",
          e);
    }
  }

  /** Starts the next segment with a header restating the durable state, then the batch. */
  private void rollAndWrite(GrowableBuffer bytes) {
    long seq = activeSeq() + 1;
    Path path = dir.resolve(WalRecovery.segmentName(seq));
    FileSystem.WritableFile next;
    GrowableBuffer header = headerFor(seq);
    long headerBytes = header.position();
    long allocated;
    try {
      next = fs.create(path);
    } catch (IOException e) {
      throw fatal("starting segment " + WalRecovery.segmentName(seq), e);
    }
    try {
      allocated = allocate(next, 0, headerBytes + bytes.position(), seq);
      next.write(header.contents());
      writeBytes(next, headerBytes, bytes);
    } catch (IOException e) {
      deleteQuietly(path);
      if (Files2.isDiskFull(e)) {
        throw new DiskFullException(
            "wal " + dir + ": disk full starting segment " + WalRecovery.segmentName(seq), e);
      }
      throw fatal("starting segment " + WalRecovery.segmentName(seq), e);
    } catch (DiskFullException e) {
      deleteQuietly(path);
      throw e;
    }
    syncFile(next, "segment " + WalRecovery.segmentName(seq));
    syncDirectory();
    close();
    active = next;
    activeBytes = headerBytes;
    activeAllocated = allocated;
    segments.add(new Segment(seq, 0));
  }

  private void startSegment(long seq) throws IOException {
    Path path = dir.resolve(WalRecovery.segmentName(seq));
    FileSystem.WritableFile file = fs.create(path);
    GrowableBuffer header = headerFor(seq);
    long allocated;
    try {
      allocated = allocate(file, 0, header.position(), seq);
      file.write(header.contents());
    } catch (IOException | DiskFullException e) {
      deleteQuietly(path);
      throw e;
    }
    syncFile(file, "segment " + WalRecovery.segmentName(seq));
    syncDirectory();
    active = file;
    activeBytes = header.position();
    activeAllocated = allocated;
    segments.add(new Segment(seq, 0));
  }

  private GrowableBuffer headerFor(long seq) {
    GrowableBuffer header = new GrowableBuffer(128);
    long prevIndex = durable.lastIndex();
    long prevTerm = Math.max(0, durable.termAt(prevIndex));
    RecordCodec.encode(
        new WalRecord.SegmentHeader(
            seq, durable.baseIndex(), durable.baseTerm(), prevIndex, prevTerm, durable.hardState()),
        header);
    return header;
  }

  private void deleteQuietly(Path path) {
    try {
      if (fs.exists(path)) {
        fs.delete(path);
      }
    } catch (IOException e) {
      // Recovery deletes a new segment whose header never became durable; nothing is lost.
      LOG.warn("wal {}: could not delete unused segment {}: {}", dir, path, e.getMessage());
    }
  }

  private void syncFile(FileSystem.WritableFile file, String what) {
    try {
      file.sync();
    } catch (IOException e) {
      throw fatal("fsync of " + what + " in " + dir, e);
    }
  }

  private void syncDirectory() {
    try {
      fs.syncDirectory(dir);
    } catch (IOException e) {
      throw fatal("fsync of directory " + dir, e);
    }
  }

  private void checkUsable() {
    if (failure != null) {
      throw failure;
    }
  }

  private FatalDiskError fatal(String what, IOException cause) {
    failure =
        new FatalDiskError(
            "wal: "
                + what
                + " failed: "
                + cause.getMessage()
                + "; stopping, since what reached the disk is unknown",
            cause);
    fatalHandler.onFatal(failure);
    return failure;
  }
}
