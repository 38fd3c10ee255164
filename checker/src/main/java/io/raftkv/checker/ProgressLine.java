package io.raftkv.checker;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The progress line of a long check, printed to the error stream at most once per interval as keys
 * are found linearizable: {@code check run.edn: 4 of 10 keys linearizable, 401,233 operations,
 * 52,310 operations/s}. Silent on checks shorter than the interval.
 */
final class ProgressLine implements LinearizabilityChecker.Progress {
  private static final long INTERVAL_NANOS = 2_000_000_000L;

  private final long intervalNanos;
  private final PrintStream err;
  private final String file;
  private final int keyCount;
  private final long startedNanos = System.nanoTime();
  private long printedNanos = startedNanos;
  private int keysDone;
  private long operationsDone;

  ProgressLine(PrintStream err, String file, int keyCount) {
    this(err, file, keyCount, INTERVAL_NANOS);
  }

  ProgressLine(PrintStream err, String file, int keyCount, long intervalNanos) {
    this.intervalNanos = intervalNanos;
    this.err = err;
    this.file = file;
    this.keyCount = keyCount;
  }

  @Override
  public synchronized void keyDecided(int operationCount) {
    keysDone++;
    operationsDone += operationCount;
    long now = System.nanoTime();
    if (now - printedNanos < intervalNanos) {
      return;
    }
    printedNanos = now;
    double seconds = (now - startedNanos) / 1e9;
    err.printf(
        Locale.ROOT,
        "check %s: %d of %d keys linearizable, %,d operations, %,.0f operations/s%n",
        file,
        keysDone,
        keyCount,
        operationsDone,
        operationsDone / seconds);
  }
}
