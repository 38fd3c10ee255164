package io.raftkv.replica;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkv.raft.Entry;
import io.raftkv.storage.DiskFullException;
import io.raftkv.storage.FaultyFileSystem;
import io.raftkv.storage.GroupCommitLog;
import io.raftkv.storage.PersistBatch;
import io.raftkv.storage.RaftStorage;
import io.raftkv.storage.StorageOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every outcome of a persist is explicit: durable, disk full (retried), or fatal. */
class GroupCommitDurableLogTest {
  private static final Path DIR = Path.of("/node");
  private final FaultyFileSystem disk = new FaultyFileSystem(7);
  private final List<Throwable> fatal = new CopyOnWriteArrayList<>();
  private final List<DiskFullException> full = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor();
  private final EventLoop loop = new ThreadLoop(thread);
  private RaftStorage storage;
  private GroupCommitLog wal;

  private final GroupCommitDurableLog.Outcomes outcomes =
      new GroupCommitDurableLog.Outcomes() {
        @Override
        public void diskFull(DiskFullException e) {
          full.add(e);
        }

        @Override
        public void fatal(Throwable e) {
          fatal.add(e);
        }
      };

  private GroupCommitDurableLog open() {
    // The storage's own fatal handler only records here; production's halts.
    StorageOptions options =
        StorageOptions.defaults().withPreallocateBytes(0).withFatalHandler(e -> {});
    storage = RaftStorage.open(disk, DIR, options);
    wal = new GroupCommitLog(storage, 64, 1 << 20);
    return new GroupCommitDurableLog(storage, wal, loop, outcomes);
  }

  @AfterEach
  void close() throws InterruptedException {
    wal.close();
    storage.close();
    thread.shutdownNow();
  }

  @Test
  void aFailedFsyncIsFatalAndNeverReportsDurable() throws Exception {
    GroupCommitDurableLog log = open();
    disk.failNextSyncs(1);
    CompletableFuture<Void> durable = new CompletableFuture<>();

    log.persist(batch(1), () -> durable.complete(null));

    awaitUntil(() -> !fatal.isEmpty(), "the fatal outcome");
    assertThat(fatal.get(0)).hasMessageContaining("sync");
    // Both outcomes are decided on the same completion; one loop round-trip flushes any hop.
    CompletableFuture<Void> flushed = new CompletableFuture<>();
    loop.execute(() -> flushed.complete(null));
    flushed.get(5, TimeUnit.SECONDS);
    assertThat(durable).isNotDone();
  }

  @Test
  void aFullDiskIsReportedAndTheBatchRetriedUntilSpaceIsFreed() throws Exception {
    GroupCommitDurableLog log = open();
    CompletableFuture<Void> first = new CompletableFuture<>();
    log.persist(batch(1), () -> first.complete(null));
    first.get(5, TimeUnit.SECONDS);
    disk.capacityBytes(disk.usedBytes() + 10);
    CompletableFuture<Void> second = new CompletableFuture<>();

    log.persist(batch(2), () -> second.complete(null));

    awaitUntil(() -> !full.isEmpty(), "the disk-full outcome");
    assertThat(second).isNotDone();
    disk.capacityBytes(Long.MAX_VALUE);
    second.get(10, TimeUnit.SECONDS);
    assertThat(fatal).isEmpty();
    assertThat(storage.lastIndex()).isEqualTo(2);
  }

  private static PersistBatch batch(long index) {
    return PersistBatch.entries(List.of(Entry.command(1, index, new byte[64])));
  }

  private static void awaitUntil(java.util.function.BooleanSupplier done, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(5);
    }
  }

  /** A one-thread loop for a test that needs real threads (the WAL's). */
  private record ThreadLoop(ScheduledExecutorService thread) implements EventLoop {
    @Override
    public void execute(Runnable task) {
      thread.execute(task);
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
      var future = thread.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
      return () -> future.cancel(false);
    }

    @Override
    public void offload(Runnable work) {
      thread.execute(work);
    }

    @Override
    public long nanoTime() {
      return System.nanoTime();
    }

    @Override
    public boolean inLoop() {
      return false;
    }
  }
}
