package io.raftkv.checker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes one self-contained HTML file explaining a failing history: a timeline of every process's
 * operations on the failing key (the linearized prefix numbered in order, the operation that could
 * not be placed in red) and the prefix as a table with the state after each step. Long histories
 * are cut to a window around the failure, and the page says so.
 */
public final class HtmlReport {
  private static final int OPERATIONS_SHOWN_MAX = 400;
  private static final int WIDTH_PX = 1400;
  private static final int ROW_PX = 26;
  private static final int LABEL_PX = 110;

  private HtmlReport() {}

  /** Writes the report for a NOT_LINEARIZABLE verdict to {@code file}. */
  public static void write(History history, Model model, Verdict verdict, Path file)
      throws IOException {
    Files.writeString(file, render(history, model, verdict), StandardCharsets.UTF_8);
  }

  static String render(History history, Model model, Verdict verdict) {
    if (verdict.result() != Verdict.Result.NOT_LINEARIZABLE) {
      throw new IllegalArgumentException("a report explains a failure; got " + verdict.line());
    }
    List<Operation> all = LinearizabilityChecker.operationsOf(history, model, verdict.key());
    Operation failing = verdict.operation();
    List<Operation> shown = window(all, failing);
    Map<Integer, Integer> order = new HashMap<>();
    for (int i = 0; i < verdict.prefix().size(); i++) {
      order.put(verdict.prefix().get(i).id(), i + 1);
    }
    StringBuilder html = new StringBuilder(64 * 1024);
    html.append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>")
        .append(escape("not linearizable: " + history.source()))
        .append("</title><style>")
        .append("body{font:14px sans-serif;margin:20px}svg text{font:11px monospace}")
        .append(".ok{fill:#cfe8cf;stroke:#4a4}.other{fill:#e4e4e4;stroke:#999}")
        .append(".bad{fill:#f88;stroke:#c00;stroke-width:3}.open{stroke-dasharray:4 3}")
        .append("table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;")
        .append("font:12px monospace;text-align:left}tr.bad td{background:#fcc}</style>")
        .append("</head><body><h1>Not linearizable</h1><p><b>")
        .append(escape(history.source()))
        .append("</b>, model <b>")
        .append(model.name())
        .append("</b>, key <b>")
        .append(escape(verdict.key() == null ? "(none)" : Values.show(verdict.key())))
        .append(
            "</b>.</p><p>This operation could not be"
                + " placed after the longest linearizable prefix found (")
        .append(verdict.prefix().size())
        .append(" operations):</p><p style=\"color:#c00\"><b>")
        .append(escape(failing.describe()))
        .append("</b></p>");
    if (shown.size() < all.size()) {
      html.append("<p>Showing ")
          .append(shown.size())
          .append(" of ")
          .append(all.size())
          .append(" operations on this key: those around the failing one.</p>");
    }
    timeline(html, shown, failing, order);
    prefixTable(html, model, verdict, failing);
    return html.append("</body></html>\n").toString();
  }

  /** The operations whose interval comes closest to the failing one's, at most a few hundred. */
  private static List<Operation> window(List<Operation> all, Operation failing) {
    if (all.size() <= OPERATIONS_SHOWN_MAX) {
      return all;
    }
    int at = all.indexOf(failing);
    int from = Math.max(0, at - OPERATIONS_SHOWN_MAX * 3 / 4);
    int to = Math.min(all.size(), from + OPERATIONS_SHOWN_MAX);
    return all.subList(from, to);
  }

  @SuppressWarnings("ReferenceEquality") // the failing operation itself, not an equal one
  private static void timeline(
      StringBuilder html, List<Operation> shown, Operation failing, Map<Integer, Integer> order) {
    int first = Integer.MAX_VALUE;
    int last = 0;
    Map<Long, Integer> rows = new TreeMap<>();
    for (Operation op : shown) {
      first = Math.min(first, op.invokeIndex());
      last = Math.max(last, Math.max(op.invokeIndex(), op.completeIndex()) + 1);
      rows.putIfAbsent(op.process(), 0);
    }
    int row = 0;
    for (Map.Entry<Long, Integer> e : rows.entrySet()) {
      e.setValue(row++);
    }
    double scale = (WIDTH_PX - LABEL_PX - 10) / (double) Math.max(1, last - first);
    html.append(
            "<h2>Timeline</h2><p>One row per process; time runs right. Green: linearized,"
                + " numbered in linearization order. Grey: not placed. Red: could not be placed."
                + " Dashed: no completion (indeterminate).</p>")
        .append("<svg width=\"")
        .append(WIDTH_PX)
        .append("\" height=\"")
        .append(rows.size() * ROW_PX + 10)
        .append("\">");
    for (Map.Entry<Long, Integer> e : rows.entrySet()) {
      html.append("<text x=\"4\" y=\"")
          .append(e.getValue() * ROW_PX + 17)
          .append("\">process ")
          .append(e.getKey())
          .append("</text>");
    }
    for (Operation op : shown) {
      int end = op.outcome() == Outcome.UNKNOWN ? last : op.completeIndex() + 1;
      double x = LABEL_PX + (op.invokeIndex() - first) * scale;
      double width = Math.max(3, (end - op.invokeIndex()) * scale - 2);
      Integer position = order.get(op.id());
      String css = op == failing ? "bad" : position != null ? "ok" : "other";
      if (op.outcome() == Outcome.UNKNOWN) {
        css += " open";
      }
      int y = rows.get(op.process()) * ROW_PX + 4;
      html.append(
          String.format(
              "<g><title>%s</title><rect class=\"%s\" x=\"%.1f\" y=\"%d\""
                  + " width=\"%.1f\" height=\"%d\" rx=\"3\"/>",
              escape(op.describe()), css, x, y, width, ROW_PX - 8));
      String label = (position != null ? "#" + position + " " : "") + shortForm(op);
      int chars = (int) (width / 7);
      if (chars >= 3) {
        html.append(
            String.format(
                "<text x=\"%.1f\" y=\"%d\">%s</text>",
                x + 3,
                y + 13,
                escape(label.length() > chars ? label.substring(0, chars - 1) + "…" : label)));
      }
      html.append("</g>");
    }
    html.append("</svg>");
  }

  private static String shortForm(Operation op) {
    String text = op.describe();
    int cut = text.indexOf(' ', text.indexOf(' ') + 1);
    int end = text.lastIndexOf(" line ");
    String shortText = text.substring(cut + 1, end);
    int key = shortText.lastIndexOf(" key=");
    return key > 0 ? shortText.substring(0, key) : shortText;
  }

  private static void prefixTable(
      StringBuilder html, Model model, Verdict verdict, Operation failing) {
    html.append(
        "<h2>Longest linearizable prefix</h2><table><tr><th>#</th><th>operation</th>"
            + "<th>state after</th></tr>");
    Object state = model.initialState();
    List<Operation> rows = new ArrayList<>(verdict.prefix());
    for (int i = 0; i < rows.size(); i++) {
      Object after = model.step(state, rows.get(i));
      state = after == null ? state : after;
      html.append("<tr><td>")
          .append(i + 1)
          .append("</td><td>")
          .append(escape(rows.get(i).describe()))
          .append("</td><td>")
          .append(escape(model.showState(state)))
          .append("</td></tr>");
    }
    html.append("<tr class=\"bad\"><td>✗</td><td>")
        .append(escape(failing.describe()))
        .append("</td><td>cannot follow: state is ")
        .append(escape(model.showState(state)))
        .append("</td></tr></table>");
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
