package io.raftkv.bench.kv;

import io.raftkv.kv.Bytes;
import io.raftkv.kv.Command;
import io.raftkv.kv.CommandCodec;
import io.raftkv.kv.CompactRequest;
import io.raftkv.kv.KvLimits;
import io.raftkv.kv.KvSnapshot;
import io.raftkv.kv.KvStore;
import io.raftkv.kv.MalformedCommandException;
import io.raftkv.kv.PutRequest;
import io.raftkv.kv.RangeRequest;
import io.raftkv.kv.RangeResponse;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Issue 6's figures: put applies/s (256-byte values) into a store of 1M keys (and the decode
 * alone), 100-key ranges, and the apply-thread pause to start a snapshot. Memory per key is printed
 * by kv's test-side KvFigures main (JMH measures time, not heap).
 *
 * <p>{@code java -Xmx6g -jar bench/target/benchmarks.jar KvBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx6g", "-XX:+UseParallelGC"})
public class KvBenchmark {
  private static final int COMMANDS = 1 << 20;

  @Param("1000000")
  int keys;

  private KvStore store;
  private byte[][] puts;
  private int next;
  private long index;
  private Random random;

  static Bytes key(int i) {
    return Bytes.utf8(String.format("key/%010d", i));
  }

  @Setup(Level.Trial)
  public void load() {
    store = new KvStore(KvLimits.defaults());
    random = new Random(1);
    byte[] value = new byte[256];
    for (int i = 0; i < keys; i++) {
      random.nextBytes(value);
      store.apply(++index, Command.of(PutRequest.of(key(i), Bytes.copyOf(value))));
    }
    puts = new byte[COMMANDS][];
    for (int i = 0; i < COMMANDS; i++) {
      random.nextBytes(value);
      puts[i] =
          CommandCodec.encode(
              Command.of(PutRequest.of(key(random.nextInt(keys)), Bytes.copyOf(value))));
    }
  }

  /** History grows with every put; a server compacts periodically, so do we, untimed. */
  @TearDown(Level.Iteration)
  public void compact() {
    store.apply(++index, Command.of(new CompactRequest(store.revision())));
  }

  @Benchmark
  public Object applyPut() {
    return store.apply(++index, puts[next++ & (COMMANDS - 1)]);
  }

  /**
   * The protobuf decode alone, applyPut's first step: steadier than applyPut, whose variance is the
   * collector's, so a codec change shows here first.
   */
  @Benchmark
  public Command decodePut() throws MalformedCommandException {
    return CommandCodec.decode(puts[next++ & (COMMANDS - 1)]);
  }

  @Benchmark
  public long range100() {
    int from = random.nextInt(keys - 100);
    RangeResponse r = store.range(RangeRequest.range(key(from), key(from + 100)));
    return r.count();
  }

  /**
   * Under ParallelGC the slowest samples are stop-the-world collections that would stop any apply,
   * not the snapshot's own work (O(leases + sessions)); ZGC's pauses stay under a millisecond, so
   * the maximum here is the snapshot's pause.
   */
  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  @Fork(
      value = 1,
      jvmArgsAppend = {"-Xmx6g", "-XX:+UseZGC"})
  public long snapshotStartPause() {
    try (KvSnapshot snapshot = store.snapshot()) {
      return snapshot.revision();
    }
  }
}
