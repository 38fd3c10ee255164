package io.raftkv.sim;

import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * The simulator's one thread of control: a queue of events in simulated time, run one at a time in
 * (time, insertion sequence) order, so that two runs of a seed run the same events in the same
 * order. Every event folds its time and description into a trace hash; equal hashes mean the runs
 * did the same thing, which is what the determinism test asserts.
 */
final class Scheduler {
  private static final long FNV_PRIME = 0x100000001b3L;

  private record Event(long timeNanos, long sequence, String description, Runnable task)
      implements Comparable<Event> {
    @Override
    public int compareTo(Event other) {
      int byTime = Long.compare(timeNanos, other.timeNanos);
      return byTime != 0 ? byTime : Long.compare(sequence, other.sequence);
    }
  }

  private final PriorityQueue<Event> queue = new PriorityQueue<>();

  /** Prints each event as it runs ({@code raftkv sim --trace}); null when tracing is off. */
  private final Consumer<String> trace;

  private long nowNanos;
  private long sequence;
  private long eventCount;
  private long traceHash = 0xcbf29ce484222325L;

  Scheduler(Consumer<String> trace) {
    this.trace = trace;
  }

  long nowNanos() {
    return nowNanos;
  }

  long eventCount() {
    return eventCount;
  }

  /** The running hash of every event run so far: its time and its description. */
  long traceHash() {
    return traceHash;
  }

  boolean tracing() {
    return trace != null;
  }

  /** Runs {@code task} at {@code timeNanos} (never in the past: that is clamped to now). */
  void at(long timeNanos, String description, Runnable task) {
    queue.add(new Event(Math.max(timeNanos, nowNanos), sequence++, description, task));
  }

  void after(long delayNanos, String description, Runnable task) {
    at(nowNanos + Math.max(0, delayNanos), description, task);
  }

  /** Runs the next event; false when none is left. */
  boolean runNext() {
    Event event = queue.poll();
    if (event == null) {
      return false;
    }
    nowNanos = event.timeNanos();
    eventCount++;
    traceHash = (traceHash ^ event.timeNanos()) * FNV_PRIME;
    traceHash = (traceHash ^ event.description().hashCode()) * FNV_PRIME;
    if (trace != null) {
      trace.accept(String.format("%12.6f %s", event.timeNanos() / 1e9, event.description()));
    }
    event.task().run();
    return true;
  }

  /** Time of the next event, or {@link Long#MAX_VALUE} when the queue is empty. */
  long nextTimeNanos() {
    Event next = queue.peek();
    return next == null ? Long.MAX_VALUE : next.timeNanos();
  }

  /** A line for the trace only (a phase starts, a fault begins); not hashed. */
  void note(String line) {
    if (trace != null) {
      trace.accept(String.format("%12.6f # %s", nowNanos / 1e9, line));
    }
  }
}
