package io.raftkv.chaos;

import io.raftkv.checker.Budget;
import io.raftkv.checker.History;
import io.raftkv.checker.HistoryFormat;
import io.raftkv.checker.HtmlReport;
import io.raftkv.checker.LinearizabilityChecker;
import io.raftkv.checker.MalformedHistoryException;
import io.raftkv.checker.Model;
import io.raftkv.checker.Models;
import io.raftkv.checker.Verdict;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The checker's word on a run's history, in-process: linearizable, not (with the HTML report of the
 * failing key), or unknown (a budget ran out; never counted as green).
 */
final class ChaosVerdict {
  private static final Budget BUDGET = new Budget(Duration.ofMinutes(2), 5_000_000);

  private ChaosVerdict() {}

  /** The verdict and its line; {@code report} is written only when the history is not. */
  record Checked(Verdict verdict, String line) {
    boolean linearizable() {
      return verdict.result() == Verdict.Result.LINEARIZABLE;
    }
  }

  static Checked check(HistoryLog history, Path report) throws IOException {
    Model model = Models.byName("register");
    History parsed;
    Verdict verdict;
    try {
      parsed = History.parse("history.jsonl", history.lines(), HistoryFormat.JSONL);
      verdict = LinearizabilityChecker.check(parsed, model, BUDGET);
    } catch (MalformedHistoryException e) {
      // Our own recorder wrote it: a harness bug, not a verdict on the cluster.
      throw new IllegalStateException("the run wrote a malformed history: " + e.getMessage(), e);
    }
    String checked =
        String.format(
            "%d operations checked in %.1f s",
            verdict.operationCount(), verdict.elapsed().toMillis() / 1000.0);
    return switch (verdict.result()) {
      case LINEARIZABLE -> new Checked(verdict, "history is LINEARIZABLE (" + checked + ")");
      case NOT_LINEARIZABLE -> {
        HtmlReport.write(parsed, model, verdict, report);
        yield new Checked(
            verdict,
            "history is NOT LINEARIZABLE: "
                + verdict.line()
                + " ("
                + checked
                + "); report: "
                + report);
      }
      case UNKNOWN -> new Checked(verdict, "history is UNKNOWN: " + verdict.line());
    };
  }
}
