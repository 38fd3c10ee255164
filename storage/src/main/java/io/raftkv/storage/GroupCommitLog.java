package io.raftkv.storage;

import io.raftkv.raft.Snapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit: a WAL thread in front of a {@link RaftStorage}. Every request that arrives while
 * an fsync runs is staged together once it finishes and made durable by the next single fsync;
 * each caller's future completes when its batch is durable. It is a thin loop over
 * {@link RaftStorage#stage} and {@link RaftStorage#sync}, which the simulator calls directly.
 *
 * <p>Futures complete on a second thread, {@code wal-complete}, in batch order and only after
 * their batch's fsync returned: completing hundreds of futures (and running their callbacks)
 * takes as long as a fast fsync, and done on the WAL thread it would hold the next fsync back.
 * Callers still hand further work to their own executor (the replica posts to its event loop)
 * rather than run it there. The queue is bounded in requests;
 * a full queue fails the future with {@link OverloadedException} at once, never blocks. After a
 * {@link FatalDiskError} every pending and later future fails with it.
 */
public final class GroupCommitLog implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GroupCommitLog.class);

  private sealed interface Request permits Persist, Compact, Stop {}

  private record Persist(PersistBatch batch, CompletableFuture<Void> done) implements Request {}

  private record Compact(Snapshot snapshot, CompletableFuture<Void> done) implements Request {}

  private record Stop() implements Request {}

  /** The futures of a synced (failure null) or refused group. */
  private record Completion(List<CompletableFuture<Void>> futures, Throwable failure) {}

  /** Tells the completer that the WAL thread has stopped (compared by identity). */
  private static final Completion STOP_COMPLETER = new Completion(List.of(), null);

  /** Durable groups handed to the completer before the WAL thread waits for it. */
  private static final int COMPLETIONS_MAX = 64;

  private final RaftStorage storage;
  private final BlockingQueue<Request> queue;
  private final long batchBytesMax;
  private final Thread thread;
  private final BlockingQueue<Completion> completions =
      new ArrayBlockingQueue<>(COMPLETIONS_MAX);
  private final Thread completer;
  private volatile Throwable fatal;
  private volatile long batchCount;
  private volatile long syncNanos;

  /**
   * @param requestsMax queued requests beyond which {@link #submit} answers Overloaded
   * @param batchBytesMax entry bytes staged for one fsync before the rest waits for the next
   */
  public GroupCommitLog(RaftStorage storage, int requestsMax, long batchBytesMax) {
    this.storage = storage;
    this.queue = new ArrayBlockingQueue<>(requestsMax);
    this.batchBytesMax = batchBytesMax;
    this.thread = Thread.ofPlatform().name("wal").daemon().unstarted(this::run);
    this.completer = Thread.ofPlatform().name("wal-complete").daemon()
        .unstarted(this::completeInOrder);
    completer.start();
    thread.start();
  }

  /** Queues a batch; the future completes once it is durable, or fails with why it is not. */
  public CompletableFuture<Void> submit(PersistBatch batch) {
    return enqueue(new Persist(batch, new CompletableFuture<>()));
  }

  /** Queues a compaction behind every batch submitted before it. */
  public CompletableFuture<Void> compact(Snapshot snapshot) {
    return enqueue(new Compact(snapshot, new CompletableFuture<>()));
  }

  /** How many fsync batches the WAL thread has completed. */
  public long batchCount() {
    return batchCount;
  }

  /** Wall time the WAL thread has spent writing and fsyncing batches, for the bench. */
  public long syncNanos() {
    return syncNanos;
  }

  private CompletableFuture<Void> enqueue(Request request) {
    CompletableFuture<Void> done = switch (request) {
      case Persist p -> p.done();
      case Compact c -> c.done();
      case Stop s -> throw new IllegalArgumentException("stop is internal");
    };
    if (fatal != null) {
      done.completeExceptionally(fatal);
    } else if (!queue.offer(request)) {
      done.completeExceptionally(new OverloadedException("wal queue full ("
          + (queue.size() + queue.remainingCapacity()) + " requests); retry later"));
    }
    return done;
  }

  private void run() {
    List<Request> group = new ArrayList<>();
    List<Persist> staged = new ArrayList<>();
    try {
      runGroups(group, staged);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (FatalDiskError e) {
      fatal = e;
      failEverything(e, staged, group);
    } finally {
      stopCompleter();
    }
  }

  private void runGroups(List<Request> group, List<Persist> staged)
      throws InterruptedException {
    while (true) {
      group.clear();
      group.add(queue.take());
      drainUpTo(group);
      for (Request request : group) {
        switch (request) {
          case Persist p -> stage(p, staged);
          case Compact c -> {
            syncGroup(staged);
            compactNow(c);
          }
          case Stop s -> {
            syncGroup(staged);
            return;
          }
        }
      }
      syncGroup(staged);
    }
  }

  private void drainUpTo(List<Request> group) {
    long bytes = group.get(0) instanceof Persist p ? p.batch().dataBytes() : 0;
    while (bytes < batchBytesMax) {
      Request next = queue.poll();
      if (next == null) {
        return;
      }
      group.add(next);
      if (next instanceof Persist p) {
        bytes += p.batch().dataBytes();
      }
    }
  }

  private void stage(Persist request, List<Persist> staged) {
    try {
      storage.stage(request.batch());
      staged.add(request);
    } catch (IllegalArgumentException | StorageException e) {
      request.done().completeExceptionally(e);
    }
  }

  private void syncGroup(List<Persist> staged) throws InterruptedException {
    if (staged.isEmpty()) {
      return;
    }
    Throwable failure = null;
    long start = System.nanoTime();
    try {
      storage.sync();
      batchCount++;
      syncNanos += System.nanoTime() - start;
    } catch (StorageException e) {
      LOG.warn("wal batch of {} requests refused: {}", staged.size(), e.getMessage());
      failure = e;
    }
    // Only now, with the fsync returned (or the group refused), may anyone learn the outcome.
    List<CompletableFuture<Void>> futures = new ArrayList<>(staged.size());
    for (Persist request : staged) {
      futures.add(request.done());
    }
    completions.put(new Completion(futures, failure));
    staged.clear();
  }

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

  private void compactNow(Compact request) throws InterruptedException {
    Throwable failure = null;
    try {
      storage.compact(request.snapshot());
    } catch (IllegalArgumentException | StorageException e) {
      failure = e;
    }
    // Through the completer, so it completes after the batches queued before it.
    completions.put(new Completion(List.of(request.done()), failure));
  }

  /**
   * After a failed fsync: every request not yet durable fails, behind the groups that were
   * durable before it (the completer keeps that order), and so does every later one.
   */
  private void failEverything(FatalDiskError e, List<Persist> staged, List<Request> group) {
    List<CompletableFuture<Void>> futures = new ArrayList<>();
    for (Persist request : staged) {
      futures.add(request.done());
    }
    for (Request request : group) {
      futureOf(request, futures);
    }
    for (Request request = queue.poll(); request != null; request = queue.poll()) {
      futureOf(request, futures);
    }
    try {
      completions.put(new Completion(futures, e));
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      futures.forEach(done -> done.completeExceptionally(e));
    }
  }

  private static void futureOf(Request request, List<CompletableFuture<Void>> futures) {
    switch (request) {
      case Persist p -> futures.add(p.done());
      case Compact c -> futures.add(c.done());
      case Stop s -> { }
    }
  }

  /** Makes everything queued durable, then stops the WAL thread; the storage stays open. */
  @Override
  public void close() throws InterruptedException {
    if (thread.isAlive()) {
      queue.put(new Stop());
      thread.join();
    }
    completer.join();
  }
}
