package io.raftkv.checker;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One pass over the keys of a history: each key's search, on up to {@code jobs} threads, each with
 * its own share of the time left so that one hard key cannot starve the others. A key starting when
 * n keys (this one included) have not started gets {@code min(jobs, n) / n} of the time left, so
 * time a quick key leaves unused goes to the keys after it, and the last keys get all of it. The
 * first key found not linearizable stops the others at once.
 */
final class KeyChecks {
  /** One key's answer; a cancelled search has a null result. */
  record Answer(Object key, Search.Result result) {}

  private final Model model;
  private final int configurationsMax;
  private final long deadlineNanos;
  private final int jobs;
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicInteger notStarted;
  private final AtomicReference<Answer> violation = new AtomicReference<>();
  private final LinearizabilityChecker.Progress progress;

  private KeyChecks(
      Model model,
      int configurationsMax,
      long deadlineNanos,
      int jobs,
      int keyCount,
      LinearizabilityChecker.Progress progress) {
    this.model = model;
    this.progress = progress;
    this.configurationsMax = configurationsMax;
    this.deadlineNanos = deadlineNanos;
    this.jobs = jobs;
    this.notStarted = new AtomicInteger(keyCount);
  }

  /**
   * Checks every key, telling {@code progress} of each key found linearizable. Returns the answers
   * of the keys decided or undecided, in key order; when a key is not linearizable, a list holding
   * just that answer (with several threads, the first found).
   */
  static List<Answer> run(
      Model model,
      List<Map.Entry<Object, List<Operation>>> keys,
      int configurationsMax,
      long deadlineNanos,
      int jobs,
      LinearizabilityChecker.Progress progress) {
    int threads = Math.max(1, Math.min(jobs, keys.size()));
    KeyChecks checks =
        new KeyChecks(model, configurationsMax, deadlineNanos, jobs, keys.size(), progress);
    List<Answer> answers = new ArrayList<>();
    if (threads == 1) {
      for (Map.Entry<Object, List<Operation>> key : keys) {
        Answer answer = checks.check(key);
        if (answer.result().result() == Verdict.Result.NOT_LINEARIZABLE) {
          return List.of(answer);
        }
        answers.add(answer);
      }
      return answers;
    }
    ExecutorService pool =
        Executors.newFixedThreadPool(threads, Thread.ofPlatform().daemon().factory());
    try {
      List<Future<Answer>> futures = new ArrayList<>();
      for (Map.Entry<Object, List<Operation>> key : keys) {
        futures.add(pool.submit(() -> checks.check(key)));
      }
      for (Future<Answer> future : futures) {
        answers.add(future.get());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while checking keys", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("a key's search failed", e.getCause());
    } finally {
      pool.shutdownNow();
    }
    Answer found = checks.violation.get();
    return found != null ? List.of(found) : answers;
  }

  private Answer check(Map.Entry<Object, List<Operation>> key) {
    if (stop.get()) {
      return new Answer(key.getKey(), null);
    }
    int left = notStarted.getAndDecrement();
    long now = System.nanoTime();
    long share = (deadlineNanos - now) / left * Math.min(jobs, left);
    Search search = new Search(model, key.getValue(), configurationsMax, now + share, true, stop);
    Search.Result result = search.run();
    if (result.result() == Verdict.Result.NOT_LINEARIZABLE) {
      Answer answer = new Answer(key.getKey(), result);
      if (violation.compareAndSet(null, answer)) {
        stop.set(true);
      }
      return answer;
    }
    if (result.result() == Verdict.Result.LINEARIZABLE) {
      progress.keyDecided(key.getValue().size());
    }
    return new Answer(key.getKey(), search.cancelled() ? null : result);
  }
}
