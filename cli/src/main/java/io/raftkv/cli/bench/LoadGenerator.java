package io.raftkv.cli.bench;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Function;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Drives a store with {@link LoadPlan#clients()} clients for a warm-up and a measured window and
 * records the latency of every request in HdrHistogram, and failed requests by {@code errorKind}
 * (one line naming the error). No thread blocks on a request: each client starts its next request
 * from the completion of the previous one (or, with a rate, at its next intended time on the
 * scheduler).
 */
public final class LoadGenerator {
  /** Latencies up to a minute, in microseconds, to three significant digits. */
  private static final long LATENCY_MAX_MICROS = 60_000_000L;

  private static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(1);

  private final String operationName;
  private final LoadPlan plan;
  private final BenchOperation operation;
  private final Consumer<Progress> progress;
  private final Function<Throwable, String> errorKind;
  private final List<Long> serverPids;
  private final Recorder intervalLatencies = new Recorder(LATENCY_MAX_MICROS, 3);
  private final Recorder measuredLatencies = new Recorder(LATENCY_MAX_MICROS, 3);
  private final Map<String, LongAdder> measuredErrors = new ConcurrentHashMap<>();
  private final LongAdder intervalErrors = new LongAdder();
  private final AtomicLong outstanding = new AtomicLong();
  private ScheduledExecutorService scheduler;
  private long startNanos;
  private long measureStartNanos;
  private long measureEndNanos;

  /** What the generator saw in the last progress interval. */
  public record Progress(
      String phase,
      double elapsedSeconds,
      double operationsPerSecond,
      double p99Millis,
      long errors) {}

  public LoadGenerator(
      String operationName,
      LoadPlan plan,
      BenchOperation operation,
      Function<Throwable, String> errorKind,
      List<Long> serverPids,
      Consumer<Progress> progress) {
    this.serverPids = List.copyOf(serverPids);
    this.operationName = operationName;
    this.errorKind = errorKind;
    this.plan = plan;
    this.operation = operation;
    this.progress = progress;
  }

  /** Runs the plan to its end and returns what was measured. */
  public BenchResult run() throws InterruptedException {
    scheduler = Executors.newSingleThreadScheduledExecutor(LoadGenerator::daemon);
    try {
      startNanos = System.nanoTime();
      measureStartNanos = startNanos + plan.warmup().toNanos();
      measureEndNanos = measureStartNanos + plan.measured().toNanos();
      long progressNanos = PROGRESS_INTERVAL.toNanos();
      var unusedProgressTask =
          scheduler.scheduleAtFixedRate(
              this::reportProgress, progressNanos, progressNanos, TimeUnit.NANOSECONDS);
      for (int client = 0; client < plan.clients(); client++) {
        long firstIntended = startNanos + firstOffsetNanos(client);
        new ClientLoop(client).startAt(firstIntended);
      }
      waitUntil(measureStartNanos);
      List<Long> serverTicksAtMeasureStart = ServerUsage.cpuTicks(serverPids);
      waitUntil(measureEndNanos);
      ServerUsage servers = ServerUsage.between(serverPids, serverTicksAtMeasureStart);
      long drainDeadline = System.nanoTime() + plan.drainTimeout().toNanos();
      while (outstanding.get() > 0 && System.nanoTime() < drainDeadline) {
        TimeUnit.MILLISECONDS.sleep(5); // polls the outstanding count against a deadline
      }
      return result(outstanding.get(), servers);
    } finally {
      scheduler.shutdownNow();
    }
  }

  private long firstOffsetNanos(int client) {
    // Spread the clients' first requests over one interval so an open loop starts smoothly.
    return plan.openLoop() ? plan.clientIntervalNanos() * client / plan.clients() : 0;
  }

  private static void waitUntil(long deadlineNanos) throws InterruptedException {
    long left;
    while ((left = deadlineNanos - System.nanoTime()) > 0) {
      TimeUnit.NANOSECONDS.sleep(Math.min(left, 100_000_000L));
    }
  }

  private BenchResult result(long unfinished, ServerUsage servers) {
    Histogram latencies = measuredLatencies.getIntervalHistogram();
    Map<String, Long> errors = new TreeMap<>();
    measuredErrors.forEach((kind, count) -> errors.put(kind, count.sum()));
    double seconds = (measureEndNanos - measureStartNanos) / 1e9;
    return new BenchResult(operationName, plan, latencies, errors, unfinished, seconds, servers);
  }

  private void reportProgress() {
    Histogram interval = intervalLatencies.getIntervalHistogram();
    long now = System.nanoTime();
    String phase = now < measureStartNanos ? "warmup" : now < measureEndNanos ? "run" : "drain";
    progress.accept(
        new Progress(
            phase,
            (now - startNanos) / 1e9,
            interval.getTotalCount() / (PROGRESS_INTERVAL.toNanos() / 1e9),
            interval.getValueAtPercentile(99) / 1000.0,
            intervalErrors.sumThenReset()));
  }

  /** One client: a request at a time, the next one started from the previous one's end. */
  private final class ClientLoop {
    private final int client;
    private long sequence;

    ClientLoop(int client) {
      this.client = client;
    }

    void startAt(long intendedNanos) {
      if (intendedNanos >= measureEndNanos) {
        return;
      }
      long delay = intendedNanos - System.nanoTime();
      if (delay > 0) {
        var unusedStart =
            scheduler.schedule(() -> start(intendedNanos), delay, TimeUnit.NANOSECONDS);
      } else {
        start(intendedNanos);
      }
    }

    private void start(long intendedNanos) {
      outstanding.incrementAndGet();
      CompletableFuture<?> answer;
      try {
        answer = operation.start(client, sequence++);
      } catch (RuntimeException e) {
        answer = CompletableFuture.failedFuture(e);
      }
      boolean answeredAtOnce = answer.isDone();
      var unusedChain =
          answer.whenComplete(
              (ignored, failure) -> {
                finished(intendedNanos, failure);
                long next = nextIntended(intendedNanos);
                if (next >= measureEndNanos) {
                  return;
                }
                if (answeredAtOnce) {
                  // A synchronous answer would recurse here once per request: hop to the scheduler.
                  scheduler.execute(() -> startAt(next));
                } else {
                  startAt(next);
                }
              });
    }

    private long nextIntended(long intendedNanos) {
      return plan.openLoop() ? intendedNanos + plan.clientIntervalNanos() : System.nanoTime();
    }
  }

  private void finished(long intendedNanos, Throwable failure) {
    long endNanos = System.nanoTime();
    outstanding.decrementAndGet();
    boolean measured = intendedNanos >= measureStartNanos && endNanos <= measureEndNanos;
    if (failure != null) {
      intervalErrors.increment();
      if (measured) {
        measuredErrors.computeIfAbsent(errorKind.apply(failure), k -> new LongAdder()).increment();
      }
      return;
    }
    long micros = Math.min(LATENCY_MAX_MICROS, Math.max(1, (endNanos - intendedNanos) / 1000));
    intervalLatencies.recordValue(micros);
    if (measured) {
      measuredLatencies.recordValue(micros);
    }
  }

  private static Thread daemon(Runnable task) {
    Thread thread = new Thread(task, "bench-scheduler");
    thread.setDaemon(true);
    return thread;
  }
}
