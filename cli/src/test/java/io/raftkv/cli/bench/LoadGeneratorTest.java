package io.raftkv.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LoadGeneratorTest {
  private final ScheduledExecutorService store = Executors.newScheduledThreadPool(2);

  @AfterEach
  void stopStore() {
    store.shutdownNow();
  }

  /** A fake store that answers every request after {@code millis}. */
  private CompletableFuture<Void> answerAfter(long millis) {
    CompletableFuture<Void> answer = new CompletableFuture<>();
    var unused = store.schedule(() -> answer.complete(null), millis, TimeUnit.MILLISECONDS);
    return answer;
  }

  private static LoadPlan plan(int clients, long warmupMillis, long measuredMillis, double rate) {
    return new LoadPlan(
        clients,
        Duration.ofMillis(warmupMillis),
        Duration.ofMillis(measuredMillis),
        rate,
        Duration.ofSeconds(5));
  }

  @Test
  void eachClientHasOneRequestOutstandingAndNumbersItsRequestsWithoutGaps() throws Exception {
    Map<Integer, List<Long>> sequences = new ConcurrentHashMap<>();
    Map<Integer, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    AtomicInteger overlaps = new AtomicInteger();
    BenchOperation operation =
        (client, sequence) -> {
          sequences.computeIfAbsent(client, c -> new ArrayList<>()).add(sequence);
          if (inFlight.computeIfAbsent(client, c -> new AtomicInteger()).incrementAndGet() > 1) {
            overlaps.incrementAndGet();
          }
          return answerAfter(2).whenComplete((v, e) -> inFlight.get(client).decrementAndGet());
        };

    BenchResult result =
        new LoadGenerator(
                "put", plan(4, 0, 300, 0), operation, Throwable::getMessage, List.of(), p -> {})
            .run();

    assertThat(overlaps).hasValue(0);
    assertThat(sequences).containsOnlyKeys(0, 1, 2, 3);
    for (List<Long> seen : sequences.values()) {
      for (int i = 0; i < seen.size(); i++) {
        assertThat(seen.get(i)).isEqualTo(i);
      }
    }
    long started = sequences.values().stream().mapToLong(List::size).sum();
    assertThat(result.operations()).isPositive().isLessThanOrEqualTo(started);
    assertThat(result.errorCount()).isZero();
  }

  @Test
  void requestsStartedDuringWarmupAreNotCounted() throws Exception {
    List<Long> startedAt = Collections.synchronizedList(new ArrayList<>());
    BenchOperation operation =
        (client, sequence) -> {
          startedAt.add(System.nanoTime());
          return answerAfter(1);
        };

    Duration warmup = Duration.ofSeconds(1);
    long before = System.nanoTime();
    BenchResult result =
        new LoadGenerator(
                "get",
                plan(1, warmup.toMillis(), 300, 0),
                operation,
                Throwable::getMessage,
                List.of(),
                p -> {})
            .run();

    // The generator's warm-up began after `before`: whatever started before `before + warmup`
    // started in it, however slow the machine (a stall only moves requests out of this count).
    long surelyWarmup = before + warmup.toNanos();
    long inWarmup = startedAt.stream().filter(t -> t - surelyWarmup < 0).count();
    assertThat(inWarmup).as("requests started in the warm-up").isPositive();
    assertThat(result.operations()).isPositive().isLessThanOrEqualTo(startedAt.size() - inWarmup);
  }

  @Test
  void errorsAreCountedByKindAndSynchronousFailuresDoNotRecurse() throws Exception {
    BenchOperation operation =
        (client, sequence) ->
            CompletableFuture.failedFuture(new IllegalStateException("etcdserver: no leader"));

    BenchResult result =
        new LoadGenerator(
                "put", plan(2, 0, 200, 0), operation, Throwable::getMessage, List.of(), p -> {})
            .run();

    assertThat(result.operations()).isZero();
    assertThat(result.errors()).containsOnlyKeys("etcdserver: no leader");
    assertThat(result.errorCount()).isGreaterThan(2);
    assertThat(result.summaryLine()).contains("error", "etcdserver: no leader");
  }

  @Test
  void aStallWithARateChargesEveryRequestItHeldBack() throws Exception {
    long stallMillis = 500;
    long measuredMillis = 1200;
    BenchResult closed = stallRun(stallMillis, measuredMillis, 0);
    BenchResult open = stallRun(stallMillis, measuredMillis, 200);

    // Closed loop: one slow request, the others were simply not sent (coordinated omission).
    assertThat(countAtLeastMillis(closed, 100)).isLessThanOrEqualTo(5);
    // Open loop at 200/s: ~100 requests were due during the stall and each waited for it.
    assertThat(countAtLeastMillis(open, 100)).isGreaterThanOrEqualTo(40);
    assertThat(open.maxLatencyMillis()).isGreaterThanOrEqualTo(stallMillis * 0.8);
  }

  private BenchResult stallRun(long stallMillis, long measuredMillis, double rate)
      throws InterruptedException {
    long stallAtNanos = System.nanoTime() + 200_000_000L;
    AtomicInteger stalls = new AtomicInteger();
    BenchOperation operation =
        (client, sequence) ->
            System.nanoTime() >= stallAtNanos && stalls.getAndIncrement() == 0
                ? answerAfter(stallMillis)
                : answerAfter(0);
    return new LoadGenerator(
            "put",
            plan(1, 0, measuredMillis, rate),
            operation,
            Throwable::getMessage,
            List.of(),
            p -> {})
        .run();
  }

  private static long countAtLeastMillis(BenchResult result, long millis) {
    return result.latencyMicros().getCountBetweenValues(millis * 1000, Long.MAX_VALUE / 4);
  }

  @Test
  void jsonAndCsvCarryTheSameFigures() throws Exception {
    BenchResult result =
        new LoadGenerator(
                "txn",
                plan(2, 0, 200, 0),
                (c, s) -> answerAfter(1),
                Throwable::getMessage,
                List.of(),
                p -> {})
            .run();

    assertThat(result.json())
        .startsWith("{\"operation\":\"txn\",\"clients\":2,")
        .contains("\"operations\":" + result.operations(), "\"latency_ms\":{\"p50\":");
    String[] row = result.csvRow().split(",");
    assertThat(row).hasSize(BenchResult.CSV_COLUMNS.size());
    assertThat(row[0]).isEqualTo("txn");
    assertThat(Long.parseLong(row[4])).isEqualTo(result.operations());
  }
}
