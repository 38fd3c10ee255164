package io.raftkv.sim;

import io.raftkv.checker.Budget;
import io.raftkv.checker.History;
import io.raftkv.checker.HistoryFormat;
import io.raftkv.checker.HtmlReport;
import io.raftkv.checker.LinearizabilityChecker;
import io.raftkv.checker.MalformedHistoryException;
import io.raftkv.checker.Model;
import io.raftkv.checker.Models;
import io.raftkv.checker.Verdict;
import io.raftkv.kv.Bytes;
import io.raftkv.kv.Event;
import io.raftkv.kv.KeyValue;
import io.raftkv.kv.KvErrorCode;
import io.raftkv.kv.KvException;
import io.raftkv.kv.RangeRequest;
import io.raftkv.kv.RangeResponse;
import io.raftkv.kv.WatchRequest;
import io.raftkv.replica.Consistency;
import io.raftkv.replica.Replica;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The end of a seed: no acknowledged write lost (every node, read at the revision the write was
 * acknowledged with, holds exactly that value there), and the checker's verdict on the history. A
 * violation writes the history and the checker's HTML report under the report directory.
 */
final class Verdicts {
  private static final Budget BUDGET = new Budget(Duration.ofSeconds(30), 2_000_000);

  private Verdicts() {}

  static SimResult judge(Simulation sim) {
    List<String> violations = new ArrayList<>(sim.violations());
    if (violations.isEmpty()) {
      checkAckedWrites(sim, violations);
    }
    if (violations.isEmpty()) {
      checkAppliedOnce(sim, violations);
    }
    if (violations.isEmpty()) {
      checkAppliedOnceInLog(sim, violations);
    }
    long watchEvents =
        violations.isEmpty()
            ? WatchChecker.check(sim.watchers(), sim.committed(), sim.kvLimits(), violations)
            : 0;
    HistoryRecorder recorder = sim.history();
    String source = "seed-" + sim.parameters().seed();
    Model model = Models.byName("register");
    History history;
    Verdict verdict;
    try {
      history = History.parse(source, recorder.lines(), HistoryFormat.JSONL);
      verdict = LinearizabilityChecker.check(history, model, BUDGET);
    } catch (MalformedHistoryException e) {
      throw new IllegalStateException(
          source + ": the simulator wrote a malformed history: " + e.getMessage(), e);
    }
    if (verdict.result() == Verdict.Result.NOT_LINEARIZABLE) {
      violations.add("linearizability: " + verdict.line());
    }
    Path report =
        violations.isEmpty() ? null : writeReport(sim, history, model, verdict, source, violations);
    Scheduler scheduler = sim.scheduler();
    scheduler.note("verdict: " + verdict.line() + " violations=" + violations.size());
    return new SimResult(
        sim.parameters().seed(),
        sim.parameters().describe(),
        violations,
        verdict.line(),
        history.operations().size(),
        recorder.okCount(),
        recorder.failCount(),
        recorder.infoCount(),
        watchEvents,
        scheduler.nowNanos(),
        scheduler.eventCount(),
        scheduler.traceHash(),
        sim.parameters().faultsOn(),
        sim.nemesis().summary(),
        report);
  }

  /**
   * Reads every acknowledged write back from every node at its revision (serializable: each node's
   * own state, after all of them converged). A node that lost it, or holds another value there,
   * lost an acknowledged write.
   */
  private static void checkAckedWrites(Simulation sim, List<String> violations) {
    List<CompletableFuture<String>> checks = new ArrayList<>();
    int[] answered = {0};
    for (Workload.AckedWrite write : sim.workload().acked()) {
      for (SimNode node : sim.nodes()) {
        Replica replica = node.replica();
        if (replica == null) {
          continue;
        }
        RangeRequest read = RangeRequest.of(Bytes.utf8(write.key())).atRevision(write.revision());
        checks.add(
            replica
                .read(read, Consistency.SERIALIZABLE)
                .handle(
                    (response, error) -> {
                      answered[0]++;
                      return lostWrite(node, write, response, error);
                    }));
      }
    }
    sim.runUntil(() -> answered[0] == checks.size(), sim.scheduler().nowNanos() + 10_000_000_000L);
    for (CompletableFuture<String> check : checks) {
      String problem = check.getNow("acknowledged write check did not complete");
      if (problem != null) {
        violations.add("acknowledged write lost: " + problem);
        return;
      }
    }
  }

  /**
   * No write applied twice: on one node, reads every key at every revision; a value (unique per
   * write) found with two different mod revisions was applied twice, which the session must prevent
   * however often the client retried.
   */
  @SuppressWarnings("FutureReturnValueIgnored") // each read is handled in whenComplete
  private static void checkAppliedOnce(Simulation sim, List<String> violations) {
    Replica replica = sim.nodes().get(0).replica();
    long revisionMax = sim.nodes().get(0).core() == null ? 0 : replica.revision();
    Map<String, Long> firstRevision = new HashMap<>();
    List<String> problems = new ArrayList<>();
    int[] pending = {0};
    for (int key = 0; key < sim.workload().keyCount(); key++) {
      Bytes name = Bytes.utf8(Workload.key(key));
      for (long revision = 1; revision <= revisionMax; revision++) {
        pending[0]++;
        replica
            .read(RangeRequest.of(name).atRevision(revision), Consistency.SERIALIZABLE)
            .whenComplete(
                (response, error) -> {
                  pending[0]--;
                  if (response == null || response.kvs().isEmpty()) {
                    return;
                  }
                  KeyValue kv = response.kvs().get(0);
                  String id = kv.key().toStringUtf8() + "=" + kv.value().toStringUtf8();
                  Long first = firstRevision.putIfAbsent(id, kv.modRevision());
                  if (first != null && first != kv.modRevision()) {
                    problems.add(id + " at revisions " + first + " and " + kv.modRevision());
                  }
                });
      }
    }
    sim.runUntil(() -> pending[0] == 0, sim.scheduler().nowNanos() + 10_000_000_000L);
    if (!problems.isEmpty()) {
      violations.add("write applied twice on " + sim.nodes().get(0).id() + ": " + problems.get(0));
    }
  }

  /**
   * No write applied twice, judged on the committed log itself (compaction cannot hide it there, as
   * it hides node 1's old revisions): a value under two revisions in the events of the workload's
   * keys was applied twice.
   */
  private static void checkAppliedOnceInLog(Simulation sim, List<String> violations) {
    List<Event> events =
        CommittedEvents.replay(
                sim.committed(), sim.kvLimits(), List.of(WatchRequest.prefix(Bytes.utf8("k"))))
            .get(0);
    Map<String, Long> firstRevision = new HashMap<>();
    for (Event event : events) {
      if (event.type() != Event.Type.PUT) {
        continue;
      }
      String id = event.kv().key().toStringUtf8() + "=" + event.kv().value().toStringUtf8();
      Long first = firstRevision.putIfAbsent(id, event.revision());
      if (first != null) {
        violations.add(
            "write applied twice in the committed log: "
                + id
                + " at revisions "
                + first
                + " and "
                + event.revision());
        return;
      }
    }
  }

  private static String lostWrite(
      SimNode node, Workload.AckedWrite write, RangeResponse response, Throwable error) {
    String what =
        write.key() + "=" + write.value() + " at revision " + write.revision() + " on " + node.id();
    if (error != null && compacted(error)) {
      // Compaction is not loss: history before it is gone by design. The watchers, whose
      // streams are checked entry by entry against the committed log, cover those revisions.
      return null;
    }
    if (error != null) {
      return what + ": read failed: " + error;
    }
    if (response.kvs().size() != 1) {
      return what + ": key absent there";
    }
    KeyValue kv = response.kvs().get(0);
    if (kv.modRevision() != write.revision()
        || !kv.value().toStringUtf8().equals(Long.toString(write.value()))) {
      return what
          + ": found value "
          + kv.value().toStringUtf8()
          + " modRevision "
          + kv.modRevision();
    }
    return null;
  }

  private static boolean compacted(Throwable error) {
    Throwable cause =
        error instanceof java.util.concurrent.CompletionException ? error.getCause() : error;
    return cause instanceof KvException e && e.code() == KvErrorCode.COMPACTED;
  }

  /**
   * Writes {@code seed-S.jsonl} (the history, for {@code raftkv check}), {@code seed-S.txt}
   * (parameters and violations) and, when the checker refuted the history, its HTML report. Returns
   * the HTML report, or the text file when the violation is not the checker's.
   */
  private static Path writeReport(
      Simulation sim,
      History history,
      Model model,
      Verdict verdict,
      String source,
      List<String> violations) {
    try {
      Path directory = sim.options().reportDirectory();
      Files.createDirectories(directory);
      Files.write(directory.resolve(source + ".jsonl"), sim.history().lines());
      List<String> summary = new ArrayList<>();
      summary.add(sim.parameters().describe());
      summary.addAll(violations);
      Path text = directory.resolve(source + ".txt");
      Files.write(text, summary);
      if (verdict.result() != Verdict.Result.NOT_LINEARIZABLE) {
        return text;
      }
      Path html = directory.resolve(source + ".html");
      HtmlReport.write(history, model, verdict, html);
      return html;
    } catch (IOException e) {
      throw new UncheckedIOException("writing the report of " + source + " failed", e);
    }
  }
}
