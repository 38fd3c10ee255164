package io.raftkv.storage;

import io.raftkv.raft.Entry;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@code raftkv wal bench --dir DIR --entries N --size BYTES --writers K [--inflight W]}: K writer
 * threads append N entries through group commit, each keeping up to W appends in flight (as a
 * leader does with concurrent client proposals); the disk's raw rate of 4 KiB write+fsync is
 * measured before and after. The last line is {@code key=value} pairs for scripts.
 */
public final class WalBench {
  private WalBench() {}

  record Options(Path dir, int entries, int sizeBytes, int writers, int inflight) {}

  /** The WAL run: its length, fsync batches, and time the WAL thread spent in write+fsync. */
  private record Run(long elapsedNanos, long batches, long syncNanos) {}

  /** Raw 4 KiB write+fsync rates measured just before and just after the WAL run. */
  private record Raw(double before, double after) {
    double mean() {
      return (before + after) / 2;
    }
  }

  public static void main(String[] args) throws Exception {
    System.exit(run(args, System.out));
  }

  public static int run(String[] args, PrintStream out) throws Exception {
    Options options;
    try {
      options = parse(args);
    } catch (IllegalArgumentException e) {
      out.println(e.getMessage());
      out.println(
          "usage: raftkv wal bench --dir DIR --entries N --size BYTES --writers K "
              + "[--inflight W]");
      return 2;
    }
    Files.createDirectories(options.dir());
    Path runDir = Files.createTempDirectory(options.dir(), "wal-bench-");
    RealFileSystem fs = new RealFileSystem();
    long[] latencies = new long[options.entries()];
    long startNanos;
    long elapsedNanos;
    long batches;
    long syncNanos;
    // The disk's speed drifts on a shared machine: measure it on both sides of the WAL run.
    double rawBefore = rawFsyncRate(runDir.resolve("raw-before"));
    try (RaftStorage storage =
        RaftStorage.open(fs, runDir.resolve("node"), StorageOptions.defaults())) {
      // Bounds no writer can reach: Overloaded would fail the bench.
      int inflightMax = options.writers() * options.inflight();
      GroupCommitLog log =
          new GroupCommitLog(
              storage, inflightMax + 16, (long) inflightMax * options.sizeBytes() + 1);
      startNanos = System.nanoTime();
      appendConcurrently(log, options, latencies);
      elapsedNanos = System.nanoTime() - startNanos;
      batches = log.batchCount();
      syncNanos = log.syncNanos();
      log.close();
    }
    double rawAfter = rawFsyncRate(runDir.resolve("raw-after"));
    report(
        out,
        options,
        latencies,
        new Run(elapsedNanos, batches, syncNanos),
        new Raw(rawBefore, rawAfter));
    deleteTree(runDir);
    return 0;
  }

  private static void appendConcurrently(GroupCommitLog log, Options options, long[] latencies)
      throws InterruptedException {
    // Indexes are assigned in submission order, as a leader does; a ReentrantLock, because a
    // contended monitor spins and the spinning takes the CPU the fsyncs need.
    ReentrantLock indexLock = new ReentrantLock();
    long[] nextIndex = {1};
    Thread[] writers = new Thread[options.writers()];
    int perWriter = options.entries() / options.writers();
    for (int w = 0; w < writers.length; w++) {
      int count =
          w == writers.length - 1
              ? options.entries() - perWriter * (writers.length - 1)
              : perWriter;
      byte[] data = new byte[options.sizeBytes()];
      Arrays.fill(data, (byte) w);
      writers[w] =
          Thread.ofPlatform()
              .name("writer-" + w)
              .start(
                  () -> {
                    // A client's window: when it is full, wait for the oldest append, as a
                    // pipelining
                    // client does.
                    CompletableFuture<?>[] window = new CompletableFuture<?>[options.inflight()];
                    for (int i = 0; i < count; i++) {
                      int slot = i % window.length;
                      if (window[slot] != null) {
                        window[slot].join();
                      }
                      long submitted = System.nanoTime();
                      indexLock.lock();
                      try {
                        long index = nextIndex[0]++;
                        window[slot] =
                            log.submit(PersistBatch.entries(List.of(Entry.command(1, index, data))))
                                .whenComplete(
                                    (ok, error) -> {
                                      if (error == null) {
                                        latencies[(int) index - 1] = System.nanoTime() - submitted;
                                      }
                                    });
                      } finally {
                        indexLock.unlock();
                      }
                    }
                    for (CompletableFuture<?> last : window) {
                      if (last != null) {
                        last.join();
                      }
                    }
                  });
    }
    for (Thread writer : writers) {
      writer.join();
    }
  }

  /**
   * Fsyncs per second of 4 KiB appends on this disk, for the ratio the target is set in: one second
   * of writing a new file 4 KiB at a time, each write followed by fdatasync.
   */
  static double rawFsyncRate(Path file) throws IOException {
    ByteBuffer block = ByteBuffer.allocate(4096);
    int count = 0;
    long start = System.nanoTime();
    try (FileSystem.WritableFile out = new RealFileSystem().create(file)) {
      while (count < 20_000 && System.nanoTime() - start < 1_000_000_000L) {
        block.clear();
        out.write(block);
        out.sync();
        count++;
      }
    }
    return count / ((System.nanoTime() - start) / 1e9);
  }

  private static void report(PrintStream out, Options options, long[] latencies, Run run, Raw raw) {
    double seconds = run.elapsedNanos() / 1e9;
    double entriesPerSecond = options.entries() / seconds;
    double megabytesPerSecond = (double) options.entries() * options.sizeBytes() / seconds / 1e6;
    double fsyncsPerSecond = run.batches() / seconds;
    Arrays.sort(latencies);
    double p50 = latencies[latencies.length / 2] / 1e6;
    double p99 = latencies[(int) Math.min(latencies.length - 1, latencies.length * 0.99)] / 1e6;
    double ratio = fsyncsPerSecond / raw.mean();
    out.printf(
        "wal: %d entries of %d bytes, %d writers x %d in flight, %.2f s%n",
        options.entries(), options.sizeBytes(), options.writers(), options.inflight(), seconds);
    out.printf(
        "wal: %.0f entries/s, %.1f MB/s, %d batches = %.0f fsyncs/s, %.1f entries/batch" + "%n",
        entriesPerSecond,
        megabytesPerSecond,
        run.batches(),
        fsyncsPerSecond,
        (double) options.entries() / run.batches());
    out.printf(
        "wal: write+fsync %.3f ms per batch, busy %.0f%% of the run%n",
        run.syncNanos() / 1e6 / run.batches(), 100.0 * run.syncNanos() / run.elapsedNanos());
    out.printf("wal: time to durable p50 %.3f ms, p99 %.3f ms%n", p50, p99);
    out.printf(
        "raw: %.0f fsyncs/s (4 KiB write+fsync; %.0f before, %.0f after the wal run); "
            + "wal batches/raw = %.2f%n",
        raw.mean(), raw.before(), raw.after(), ratio);
    // raw_before and raw_after last: a script keeps only runs whose disk held one speed.
    out.printf(
        "entries_per_s=%.0f mb_per_s=%.2f fsyncs_per_s=%.0f p50_ms=%.3f p99_ms=%.3f "
            + "raw_fsyncs_per_s=%.0f ratio=%.3f raw_before=%.0f raw_after=%.0f%n",
        entriesPerSecond,
        megabytesPerSecond,
        fsyncsPerSecond,
        p50,
        p99,
        raw.mean(),
        ratio,
        raw.before(),
        raw.after());
  }

  static Options parse(String[] args) {
    Path dir = null;
    int entries = 100_000;
    int size = 256;
    int writers = 8;
    int inflight = 16;
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("missing value for " + flag);
      }
      String value = args[++i];
      switch (flag) {
        case "--dir" -> dir = Path.of(value);
        case "--entries" -> entries = positive(flag, value);
        case "--size" -> size = positive(flag, value);
        case "--writers" -> writers = positive(flag, value);
        case "--inflight" -> inflight = positive(flag, value);
        default -> throw new IllegalArgumentException("unknown flag " + flag);
      }
    }
    if (dir == null) {
      throw new IllegalArgumentException("--dir is required");
    }
    return new Options(dir, entries, size, writers, inflight);
  }

  private static int positive(String flag, String value) {
    try {
      int parsed = Integer.parseInt(value);
      if (parsed < 1) {
        throw new IllegalArgumentException(flag + " must be >= 1, got " + value);
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + " must be a number, got " + value);
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (var paths = Files.walk(root)) {
      for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }
}
