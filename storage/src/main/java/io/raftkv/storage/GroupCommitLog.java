package io.raftkv.storage;

import io.raftkv.raft.Snapshot;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit, pipelined: a WAL thread in front of a {@link RaftStorage} that does nothing but
 * write and fsync. Callers stage their own batches ({@link #submit} encodes into the WAL's buffer
 * under a lock), so while one fsync runs the next batch is already being built; when it returns,
 * the WAL thread takes everything staged meanwhile and writes it with the next single fsync. Each
 * caller's future completes once its batch is durable.
 *
 * <p>Why callers stage: on a 2-core machine the fsync rate falls to a third when the CPU is
 * saturated (docs/benchmarks.md), so the WAL thread must not spend the time between fsyncs
 * encoding, and the per-request hand-off through a queue cost more CPU than the encoding.
 *
 * <p>Requests that do file work of their own (a compaction, a batch that installs a snapshot) are
 * not staged by the caller: they wait in a FIFO for the WAL thread, and everything submitted behind
 * them waits there too, so the durable order is always the submission order.
 *
 * <p>Futures complete on a second thread, {@code wal-complete}, in batch order and only after their
 * batch's fsync returned: completing hundreds of futures (and running their callbacks) takes as
 * long as a fast fsync, and done on the WAL thread it would hold the next fsync back. Callers still
 * hand further work to their own executor (the replica posts to its event loop) rather than run it
 * there. What waits for the WAL thread is bounded in requests and bytes; beyond either the future
 * fails with {@link OverloadedException} at once, never blocks. After a {@link FatalDiskError}
 * every pending and later future fails with it.
 */
public final class GroupCommitLog implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GroupCommitLog.class);

  /** A request the WAL thread must run itself, in order. */
  private sealed interface Deferred permits Persist, Compact {
    CompletableFuture<Void> done();
  }

  private record Persist(PersistBatch batch, CompletableFuture<Void> done) implements Deferred {}

  private record Compact(Snapshot snapshot, CompletableFuture<Void> done) implements Deferred {}

  /** The futures of a synced (failure null) or refused group. */
  private record Completion(List<CompletableFuture<Void>> futures, Throwable failure) {}

  /** Tells the completer that the WAL thread has stopped (compared by identity). */
  private static final Completion STOP_COMPLETER = new Completion(List.of(), null);

  /** Durable groups handed to the completer before the WAL thread waits for it. */
  private static final int COMPLETIONS_MAX = 64;

  private final RaftStorage storage;
  private final int requestsMax;
  private final long stagedBytesMax;
  private final Thread thread;
  private final BlockingQueue<Completion> completions = new ArrayBlockingQueue<>(COMPLETIONS_MAX);
  private final Thread completer;

  /** Guards the storage's staging side and every field below up to {@link #fatal}. */
  private final ReentrantLock lock = new ReentrantLock();

  private final Condition work = lock.newCondition();
  private List<CompletableFuture<Void>> stagedFutures = new ArrayList<>();
  private long stagedBytes;
  private final ArrayDeque<Deferred> deferred = new ArrayDeque<>();
  private boolean closing;
  private volatile Throwable fatal;

  /** The group the WAL thread is writing; only that thread touches it. */
  private List<CompletableFuture<Void>> writing = List.of();

  private volatile long batchCount;
  private volatile long syncNanos;

  /**
   * @param requestsMax requests waiting for the WAL thread beyond which {@link #submit} answers
   *     Overloaded
   * @param stagedBytesMax entry bytes waiting for the WAL thread beyond which it does too
   */
  public GroupCommitLog(RaftStorage storage, int requestsMax, long stagedBytesMax) {
    this.storage = storage;
    this.requestsMax = requestsMax;
    this.stagedBytesMax = stagedBytesMax;
    this.thread = Thread.ofPlatform().name("wal").daemon().unstarted(this::run);
    this.completer =
        Thread.ofPlatform().name("wal-complete").daemon().unstarted(this::completeInOrder);
    completer.start();
    thread.start();
  }

  /**
   * Stages a batch; the future completes once it is durable, or fails with why it is not. A batch
   * that breaks the log's rules fails at once with {@link IllegalArgumentException}.
   */
  public CompletableFuture<Void> submit(PersistBatch batch) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    long bytes = batch.dataBytes();
    lock.lock();
    try {
      if (refused(done, bytes)) {
        return done;
      }
      if (deferred.isEmpty() && batch.snapshotToInstall().isEmpty()) {
        stageNow(batch, bytes, done);
      } else {
        deferred.add(new Persist(batch, done));
      }
      work.signal();
    } finally {
      lock.unlock();
    }
    return done;
  }

  /** Queues a compaction behind every batch submitted before it. */
  public CompletableFuture<Void> compact(Snapshot snapshot) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    lock.lock();
    try {
      if (!refused(done, 0)) {
        deferred.add(new Compact(snapshot, done));
        work.signal();
      }
    } finally {
      lock.unlock();
    }
    return done;
  }

  /** How many fsync batches the WAL thread has completed. */
  public long batchCount() {
    return batchCount;
  }

  /** Wall time the WAL thread has spent writing and fsyncing batches, for the bench. */
  public long syncNanos() {
    return syncNanos;
  }

  /** Fails {@code done} when the log cannot take a request now; call holding the lock. */
  private boolean refused(CompletableFuture<Void> done, long bytes) {
    if (fatal != null) {
      done.completeExceptionally(fatal);
    } else if (closing) {
      done.completeExceptionally(new IllegalStateException("the wal is closed"));
    } else if (stagedFutures.size() + deferred.size() >= requestsMax
        || (stagedBytes > 0 && stagedBytes + bytes > stagedBytesMax)) {
      done.completeExceptionally(
          new OverloadedException(
              "wal full ("
                  + (stagedFutures.size() + deferred.size())
                  + " requests, "
                  + stagedBytes
                  + " bytes waiting for the disk); retry later"));
    } else {
      return false;
    }
    return true;
  }

  /** Stages a batch for the next fsync; call holding the lock. */
  private void stageNow(PersistBatch batch, long bytes, CompletableFuture<Void> done) {
    try {
      storage.stage(batch);
      stagedFutures.add(done);
      stagedBytes += bytes;
    } catch (IllegalArgumentException | StorageException | FatalDiskError e) {
      // A FatalDiskError here: the WAL thread's fsync failed and it has yet to say so.
      done.completeExceptionally(e);
    }
  }

  private void run() {
    try {
      while (runNext()) {
        // Each round either writes one group or runs one deferred request.
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (FatalDiskError e) {
      failEverything(e);
    } finally {
      stopCompleter();
    }
  }

  /** Waits for work and does one round of it; false once closed with nothing left. */
  private boolean runNext() throws InterruptedException {
    Wal.Sealed sealed = null;
    List<CompletableFuture<Void>> group = null;
    Deferred next = null;
    lock.lock();
    try {
      while (stagedFutures.isEmpty() && deferred.isEmpty() && !closing) {
        work.await();
      }
      if (!stagedFutures.isEmpty()) {
        sealed = storage.seal();
        group = stagedFutures;
        stagedFutures = new ArrayList<>();
        stagedBytes = 0;
      } else if (!deferred.isEmpty()) {
        // It stays at the head, so no caller stages behind it while it runs unlocked.
        next = deferred.peek();
      } else {
        return false;
      }
    } finally {
      lock.unlock();
    }
    if (group != null) {
      writeGroup(sealed, group);
    } else {
      runDeferred(next);
    }
    return true;
  }

  /** Writes a sealed group (null: its requests staged nothing) and hands on its futures. */
  @SuppressWarnings("NonAtomicVolatileUpdate") // one writer, the WAL thread; volatile for readers
  private void writeGroup(Wal.Sealed sealed, List<CompletableFuture<Void>> group)
      throws InterruptedException {
    Throwable failure = null;
    writing = group;
    if (sealed != null) {
      long start = System.nanoTime();
      try {
        storage.write(sealed);
        batchCount++;
        syncNanos += System.nanoTime() - start;
      } catch (DiskFullException e) {
        LOG.warn("wal batch of {} requests refused: {}", group.size(), e.getMessage());
        failure = e;
        group = new ArrayList<>(group);
        group.addAll(discardStaged());
      }
    }
    // Only now, with the fsync returned (or the group refused), may anyone learn the outcome.
    completions.put(new Completion(group, failure));
    writing = List.of();
  }

  /** What was staged on top of a refused group is refused with it: it would follow a gap. */
  private List<CompletableFuture<Void>> discardStaged() {
    lock.lock();
    try {
      storage.discardStaged();
      List<CompletableFuture<Void>> discarded = stagedFutures;
      stagedFutures = new ArrayList<>();
      stagedBytes = 0;
      return discarded;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Runs the request at the head of the deferred FIFO (nothing is staged: what was is durable),
   * then stages the plain batches queued behind it, up to the next one that must be deferred.
   */
  private void runDeferred(Deferred request) throws InterruptedException {
    Throwable failure = null;
    try {
      switch (request) {
        case Compact c -> storage.compact(c.snapshot());
        case Persist p -> storage.persist(p.batch());
      }
    } catch (IllegalArgumentException | StorageException e) {
      failure = e;
    }
    // Through the completer, so it completes after the groups written before it.
    completions.put(new Completion(List.of(request.done()), failure));
    lock.lock();
    try {
      deferred.poll();
      while (deferred.peek() instanceof Persist p && p.batch().snapshotToInstall().isEmpty()) {
        deferred.poll();
        stageNow(p.batch(), p.batch().dataBytes(), p.done());
      }
    } finally {
      lock.unlock();
    }
  }

  @SuppressWarnings("ReferenceEquality") // STOP_COMPLETER is a sentinel, known by identity
  private void completeInOrder() {
    try {
      while (true) {
        Completion completion = completions.take();
        if (completion == STOP_COMPLETER) {
          return;
        }
        for (CompletableFuture<Void> done : completion.futures()) {
          if (completion.failure() == null) {
            done.complete(null);
          } else {
            done.completeExceptionally(completion.failure());
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void stopCompleter() {
    try {
      completions.put(STOP_COMPLETER);
    } catch (InterruptedException e) {
      completer.interrupt();
      Thread.currentThread().interrupt();
    }
  }

  /**
   * After a failed fsync: every request not yet durable fails, behind the groups that were durable
   * before it (the completer keeps that order), and so does every later one: the group whose fsync
   * failed, what was staged behind it, and the deferred requests (the one that was running stays at
   * their head).
   */
  private void failEverything(FatalDiskError e) {
    List<CompletableFuture<Void>> futures = new ArrayList<>();
    lock.lock();
    try {
      fatal = e;
      futures.addAll(writing);
      futures.addAll(stagedFutures);
      stagedFutures = new ArrayList<>();
      for (Deferred request : deferred) {
        futures.add(request.done());
      }
      deferred.clear();
    } finally {
      lock.unlock();
    }
    try {
      completions.put(new Completion(futures, e));
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      futures.forEach(done -> done.completeExceptionally(e));
    }
  }

  /**
   * Makes everything submitted durable, then stops the WAL thread; the storage stays open. An
   * interrupt does not cut this short (what was submitted is still promised durable): the caller's
   * interrupt status is kept for it to act on afterwards.
   */
  @Override
  public void close() {
    lock.lock();
    try {
      closing = true;
      work.signal();
    } finally {
      lock.unlock();
    }
    boolean interrupted = joinUninterruptibly(thread);
    interrupted |= joinUninterruptibly(completer);
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits for {@code worker} to end; true when the wait was interrupted along the way. */
  private static boolean joinUninterruptibly(Thread worker) {
    boolean interrupted = false;
    while (true) {
      try {
        worker.join();
        return interrupted;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
  }
}
