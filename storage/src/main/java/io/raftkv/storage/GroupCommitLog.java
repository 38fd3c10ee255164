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
 * <p>Futures complete on the WAL thread: callers hand further work to their own executor (the
 * replica posts to its event loop) rather than run it there. The queue is bounded in requests;
 * a full queue fails the future with {@link OverloadedException} at once, never blocks. After a
 * {@link FatalDiskError} every pending and later future fails with it.
 */
public final class GroupCommitLog implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GroupCommitLog.class);

  private sealed interface Request permits Persist, Compact, Stop {}

  private record Persist(PersistBatch batch, CompletableFuture<Void> done) implements Request {}

  private record Compact(Snapshot snapshot, CompletableFuture<Void> done) implements Request {}

  private record Stop() implements Request {}

  private final RaftStorage storage;
  private final BlockingQueue<Request> queue;
  private final long batchBytesMax;
  private final Thread thread;
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
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (FatalDiskError e) {
      fatal = e;
      failAll(staged, e);
      for (Request request : group) {
        failRequest(request, e);
      }
      for (Request request = queue.poll(); request != null; request = queue.poll()) {
        failRequest(request, e);
      }
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

  private void syncGroup(List<Persist> staged) {
    if (staged.isEmpty()) {
      return;
    }
    long start = System.nanoTime();
    try {
      storage.sync();
      batchCount++;
      syncNanos += System.nanoTime() - start;
      for (Persist request : staged) {
        request.done().complete(null);
      }
    } catch (StorageException e) {
      LOG.warn("wal batch of {} requests refused: {}", staged.size(), e.getMessage());
      failAll(staged, e);
    }
    staged.clear();
  }

  private void compactNow(Compact request) {
    try {
      storage.compact(request.snapshot());
      request.done().complete(null);
    } catch (IllegalArgumentException | StorageException e) {
      request.done().completeExceptionally(e);
    }
  }

  private static void failAll(List<Persist> staged, Throwable cause) {
    for (Persist request : staged) {
      request.done().completeExceptionally(cause);
    }
    staged.clear();
  }

  private static void failRequest(Request request, Throwable cause) {
    switch (request) {
      case Persist p -> p.done().completeExceptionally(cause);
      case Compact c -> c.done().completeExceptionally(cause);
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
  }
}
