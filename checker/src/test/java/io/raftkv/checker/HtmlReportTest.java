package io.raftkv.checker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The report names the failure, highlights it, and loads nothing from outside the file. */
class HtmlReportTest {
  @Test
  void reportOfSharedBadHistoryHighlightsTheFailingOperation() throws Exception {
    History history = History.read(SharedHistories.directory().resolve("kv/c10-bad.txt"));
    Model kv = Models.byName("kv");
    Verdict verdict = LinearizabilityChecker.check(history, kv);
    String html = HtmlReport.render(history, kv, verdict);
    String failing = verdict.operation().describe().replace(">", "&gt;").replace("\"", "&quot;");
    assertThat(html)
        .startsWith("<!DOCTYPE html>")
        .contains("<svg")
        .contains("class=\"bad\"")
        .contains(failing)
        .contains("Longest linearizable prefix")
        .doesNotContain("http://", "https://", "<script", "<link");
    // Every prefix operation is numbered in the table, then the failing one is marked.
    assertThat(html)
        .contains("<td>" + verdict.prefix().size() + "</td>")
        .contains("<tr class=\"bad\"><td>✗</td>");
  }

  @Test
  void aReportNeedsAFailure() throws Exception {
    History history = History.read(SharedHistories.directory().resolve("kv/c01-ok.txt"));
    Verdict verdict = LinearizabilityChecker.check(history, Models.byName("kv"));
    assertThatThrownBy(() -> HtmlReport.render(history, Models.byName("kv"), verdict))
        .hasMessageContaining("a report explains a failure");
  }
}
