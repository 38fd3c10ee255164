package io.raftkv.kv;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Random;

/**
 * Issue 6's figures without JMH (the bench module's KvBenchmark measures the same under JMH): put
 * applies/s into 1M keys, 100-key ranges/s, heap bytes per key beyond key and value, the apply
 * pause to start a snapshot of 1M keys, and full snapshot write/restore times.
 *
 * <p>Run: {@code java -Xmx4g -XX:+UseParallelGC -cp kv/target/classes:kv/target/test-classes:PB
 * io.raftkv.kv.KvFigures [keys]}, PB being the protobuf-java jar of the parent pom's
 * protobuf.version (docs/kv.md). A measuring tool, not a test: it reads the clock.
 */
public final class KvFigures {
  private static final int VALUE_BYTES = 256;

  private KvFigures() {}

  static byte[] key(int i) {
    return String.format("key/%010d", i).getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  public static void main(String[] args) throws IOException {
    int keys = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    Random random = new Random(1);
    long heapBefore = usedHeapBytes();
    KvStore store = new KvStore(KvLimits.defaults());
    byte[] value = new byte[VALUE_BYTES];
    random.nextBytes(value);
    long index = 0;
    long keyBytes = 0;
    for (int i = 0; i < keys; i++) {
      byte[] k = key(i);
      keyBytes += k.length;
      // A fresh value array per key, as a decoded log entry would have.
      store.apply(++index, Command.of(PutRequest.of(Bytes.wrap(k), Bytes.wrap(value.clone()))));
    }
    long heapAfter = usedHeapBytes();
    double overhead =
        (heapAfter - heapBefore - keyBytes - (long) keys * VALUE_BYTES) / (double) keys;
    System.out.printf(
        "keys=%d heap=%d MiB overhead=%.1f bytes/key beyond key and value%n",
        keys, (heapAfter - heapBefore) >> 20, overhead);
    index = measurePuts(store, random, keys, index);
    measureRanges(store, random, keys);
    measureSnapshot(store, index);
  }

  private static long measurePuts(KvStore store, Random random, int keys, long index) {
    int count = 1_000_000;
    byte[][] commands = new byte[count][];
    byte[] value = new byte[VALUE_BYTES];
    for (int i = 0; i < count; i++) {
      random.nextBytes(value);
      commands[i] =
          CommandCodec.encode(
              Command.of(
                  PutRequest.of(Bytes.wrap(key(random.nextInt(keys))), Bytes.copyOf(value))));
    }
    for (int round = 0; round < 3; round++) {
      long start = System.nanoTime();
      long cpuStart = cpuNanos();
      long gcStart = gcMillis();
      for (byte[] command : commands) {
        store.apply(++index, command);
      }
      long nanos = System.nanoTime() - start;
      long cpu = cpuNanos() - cpuStart;
      System.out.printf(
          "round %d: %,.0f put applies/s wall, %,.0f per CPU-second of the apply "
              + "thread (decode + apply, 256-byte values, random existing keys); GC %d ms%n",
          round, count * 1e9 / nanos, count * 1e9 / cpu, gcMillis() - gcStart);
      // Keep history bounded between rounds, as a server's periodic compaction does. The
      // physical pass runs in slices after each apply: time the applies until it is done.
      store.apply(++index, Command.of(new CompactRequest(store.revision())));
      long sliceMaxNanos = 0;
      long passStart = System.nanoTime();
      int applies = 0;
      for (; applies < count && store.compactionPassActive(); applies++) {
        long t = System.nanoTime();
        store.apply(++index, commands[applies]);
        sliceMaxNanos = Math.max(sliceMaxNanos, System.nanoTime() - t);
      }
      System.out.printf(
          "  compaction of %d keys: spread over %d put applies (%d ms in all, "
              + "puts included), slowest apply %.2f ms%n",
          store.keyCount(),
          applies,
          (System.nanoTime() - passStart) / 1_000_000,
          sliceMaxNanos / 1e6);
    }
    return index;
  }

  private static void measureRanges(KvStore store, Random random, int keys) {
    int count = 200_000;
    long sink = 0;
    for (int round = 0; round < 3; round++) {
      long start = System.nanoTime();
      long cpuStart = cpuNanos();
      for (int i = 0; i < count; i++) {
        int from = random.nextInt(keys - 100);
        RangeResponse r =
            store.range(RangeRequest.range(Bytes.wrap(key(from)), Bytes.wrap(key(from + 100))));
        sink += r.count();
      }
      long nanos = System.nanoTime() - start;
      long cpu = cpuNanos() - cpuStart;
      System.out.printf(
          "round %d: %,.0f ranges/s of 100 keys wall, %,.0f per CPU-second "
              + "(%.1f us CPU each)%n",
          round, count * 1e9 / nanos, count * 1e9 / cpu, cpu / 1e3 / count);
    }
    if (sink != (long) count * 3 * 100) {
      throw new AssertionError("ranges returned " + sink + " keys");
    }
  }

  private static void measureSnapshot(KvStore store, long index) throws IOException {
    long[] pauses = new long[20];
    for (int i = 0; i < pauses.length; i++) {
      long start = System.nanoTime();
      KvSnapshot s = store.snapshot();
      pauses[i] = System.nanoTime() - start;
      s.close();
    }
    Arrays.sort(pauses);
    System.out.printf(
        "snapshot start pause (apply thread): median %.3f ms, max %.3f ms%n",
        pauses[pauses.length / 2] / 1e6, pauses[pauses.length - 1] / 1e6);
    java.nio.file.Path file = java.nio.file.Files.createTempFile("kv-figures", ".snap");
    long start = System.nanoTime();
    try (KvSnapshot s = store.snapshot();
        OutputStream out = java.nio.file.Files.newOutputStream(file)) {
      s.writeTo(out);
    }
    long writeNanos = System.nanoTime() - start;
    start = System.nanoTime();
    KvStore restored;
    try (var in = java.nio.file.Files.newInputStream(file)) {
      restored = KvStore.restore(in, KvLimits.defaults());
    }
    long restoreNanos = System.nanoTime() - start;
    System.out.printf(
        "snapshot of %d keys: %d MiB, written in %d ms (off the apply thread), "
            + "restored in %d ms%n",
        restored.keyCount(),
        java.nio.file.Files.size(file) >> 20,
        writeNanos / 1_000_000,
        restoreNanos / 1_000_000);
    java.nio.file.Files.delete(file);
    if (restored.revision() != store.revision() || index != store.appliedIndex()) {
      throw new AssertionError("restored revision " + restored.revision());
    }
  }

  /** This thread's CPU time: on a shared machine, wall time measures the neighbours too. */
  private static long cpuNanos() {
    return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
  }

  private static long gcMillis() {
    long millis = 0;
    for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      millis += Math.max(0, gc.getCollectionTime());
    }
    return millis;
  }

  private static long usedHeapBytes() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
