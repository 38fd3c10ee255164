package io.raftkv.chaos;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.Compare;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RangeResponse;
import io.etcd.jetcd.api.RequestOp;
import io.etcd.jetcd.api.TxnRequest;
import io.raftkv.client.RaftkvClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Jepsen's register workload over a few keys: concurrent clients read, write and compare-and-set
 * (an etcd Txn: value equals {@code from}, then put {@code to}) through the client library, each
 * operation recorded in the {@link HistoryLog} before it is sent and after it ends. Every write
 * carries a value never written before, so a read names the one write it saw. Invocations are
 * spread at {@code rate} per second over the run, so that the nemesis's faults land among them.
 */
public final class RegisterWorkload {
  /**
   * How much load, and how it is spread.
   *
   * @param clients concurrent clients, each one operation at a time
   * @param operations invocations in all
   * @param keys registers, named k0..k(keys-1)
   * @param ratePerSecond invocations started per second, at most, over all clients
   * @param callLimit how long a client waits for an answer before it records the outcome unknown
   */
  public record Settings(
      int clients, int operations, int keys, double ratePerSecond, long seed, Duration callLimit) {}

  private final RaftkvClient client;
  private final HistoryLog history;
  private final Settings settings;
  private final AtomicInteger tickets = new AtomicInteger();
  private final AtomicLong nextValue = new AtomicLong(1);
  private final Map<String, Long> lastWritten = new ConcurrentHashMap<>();
  private volatile boolean stopped;
  private long startNanos;

  public RegisterWorkload(RaftkvClient client, HistoryLog history, Settings settings) {
    this.client = client;
    this.history = history;
    this.settings = settings;
  }

  /** The register names. */
  public static List<String> keys(int count) {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      keys.add("k" + i);
    }
    return keys;
  }

  /** Runs every client until the operations are used up (or {@link #stop}); blocks till then. */
  public void run() throws InterruptedException {
    startNanos = System.nanoTime();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < settings.clients(); i++) {
      Random random = new Random(settings.seed() * 1_000_003L + i);
      threads.add(Thread.ofVirtual().name("client-" + i).start(() -> runClient(random)));
    }
    for (Thread thread : threads) {
      thread.join();
    }
  }

  /** Stops handing out operations; those under way finish and are recorded. */
  public void stop() {
    stopped = true;
  }

  /** Invocations handed out so far. */
  public int started() {
    return Math.min(tickets.get(), settings.operations());
  }

  private void runClient(Random random) {
    int process = history.newProcess();
    List<String> keys = keys(settings.keys());
    while (!stopped) {
      int ticket = tickets.getAndIncrement();
      if (ticket >= settings.operations()) {
        return;
      }
      if (!awaitSlot(ticket)) {
        return;
      }
      String key = keys.get(random.nextInt(keys.size()));
      HistoryLog.Type type =
          switch (random.nextInt(3)) {
            case 0 -> read(process, key);
            case 1 -> write(process, key);
            default -> cas(process, key, random);
          };
      if (type == HistoryLog.Type.INFO) {
        // The format's rule: a process that lost track of an operation never invokes again.
        process = history.newProcess();
      }
    }
  }

  /** Waits for the ticket's time on the schedule (a rate, not a synchronisation). */
  private boolean awaitSlot(int ticket) {
    long dueNanos = startNanos + (long) (ticket * 1e9 / settings.ratePerSecond());
    long waitNanos = dueNanos - System.nanoTime();
    if (waitNanos <= 0) {
      return true;
    }
    try {
      Thread.sleep(Duration.ofNanos(waitNanos));
      return !stopped;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private HistoryLog.Type read(int process, String key) {
    history.invoke(process, "read", key, null);
    try {
      RangeResponse response = await(client.kv().get(key));
      String value =
          response.getKvsCount() == 0 ? "null" : response.getKvs(0).getValue().toStringUtf8();
      history.complete(process, HistoryLog.Type.OK, "read", key, value, null);
      return HistoryLog.Type.OK;
    } catch (ExecutionException | TimeoutException e) {
      return failed(process, "read", key, null, e);
    }
  }

  private HistoryLog.Type write(int process, String key) {
    long value = nextValue.getAndIncrement();
    history.invoke(process, "write", key, Long.toString(value));
    try {
      await(client.kv().put(key, Long.toString(value)));
      lastWritten.put(key, value);
      history.complete(process, HistoryLog.Type.OK, "write", key, Long.toString(value), null);
      return HistoryLog.Type.OK;
    } catch (ExecutionException | TimeoutException e) {
      return failed(process, "write", key, Long.toString(value), e);
    }
  }

  /** From the value last acknowledged on the key (often still there), to a fresh one. */
  private HistoryLog.Type cas(int process, String key, Random random) {
    long from = lastWritten.getOrDefault(key, 1 + (long) random.nextInt(3));
    long to = nextValue.getAndIncrement();
    String value = "[" + from + "," + to + "]";
    history.invoke(process, "cas", key, value);
    try {
      boolean swapped = await(client.kv().txn(casRequest(key, from, to))).getSucceeded();
      if (swapped) {
        lastWritten.put(key, to);
      }
      HistoryLog.Type type = swapped ? HistoryLog.Type.OK : HistoryLog.Type.FAIL;
      history.complete(process, type, "cas", key, value, null);
      return type;
    } catch (ExecutionException | TimeoutException e) {
      return failed(process, "cas", key, value, e);
    }
  }

  private static TxnRequest casRequest(String key, long from, long to) {
    ByteString name = ByteString.copyFromUtf8(key);
    return TxnRequest.newBuilder()
        .addCompare(
            Compare.newBuilder()
                .setKey(name)
                .setTarget(Compare.CompareTarget.VALUE)
                .setResult(Compare.CompareResult.EQUAL)
                .setValue(ByteString.copyFromUtf8(Long.toString(from))))
        .addSuccess(
            RequestOp.newBuilder()
                .setRequestPut(
                    PutRequest.newBuilder()
                        .setKey(name)
                        .setValue(ByteString.copyFromUtf8(Long.toString(to)))))
        .build();
  }

  private HistoryLog.Type failed(
      int process, String f, String key, String value, Exception failure) {
    Outcomes.Outcome outcome = Outcomes.of(failure);
    history.complete(process, outcome.type(), f, key, value, outcome.reason());
    return outcome.type();
  }

  /**
   * The call's own timeout ends it; this bound only keeps a client that never answered from holding
   * the run forever (and then says so as an unknown outcome).
   */
  private <T> T await(CompletableFuture<T> call) throws ExecutionException, TimeoutException {
    try {
      return call.get(settings.callLimit().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ExecutionException("interrupted while waiting for the answer", e);
    }
  }
}
