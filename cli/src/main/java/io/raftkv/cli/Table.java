package io.raftkv.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * etcdctl's {@code -w table} shape (olekukonko/tablewriter as etcdctl sets it up): a ruled box,
 * headings centred (a spare space goes right), every cell aligned right.
 */
final class Table {
  private Table() {}

  static void print(PrintWriter out, List<String> headings, List<List<String>> rows) {
    int[] widths = new int[headings.size()];
    List<List<String>> all = new ArrayList<>();
    all.add(headings);
    all.addAll(rows);
    for (List<String> row : all) {
      if (row.size() != headings.size()) {
        throw new IllegalArgumentException(
            "a row of " + row.size() + " cells under " + headings.size() + " headings");
      }
      for (int c = 0; c < row.size(); c++) {
        widths[c] = Math.max(widths[c], row.get(c).length());
      }
    }
    String rule = rule(widths);
    out.println(rule);
    out.println(line(headings, widths, true));
    out.println(rule);
    for (List<String> row : rows) {
      out.println(line(row, widths, false));
    }
    out.println(rule); // tablewriter rules the bottom even under no rows
  }

  private static String rule(int[] widths) {
    StringBuilder rule = new StringBuilder("+");
    for (int width : widths) {
      rule.append("-".repeat(width + 2)).append('+');
    }
    return rule.toString();
  }

  private static String line(List<String> cells, int[] widths, boolean centred) {
    StringBuilder line = new StringBuilder("|");
    for (int c = 0; c < cells.size(); c++) {
      String cell = cells.get(c);
      int gap = widths[c] - cell.length();
      int left = centred ? gap / 2 : gap;
      line.append(' ').append(" ".repeat(left)).append(cell);
      line.append(" ".repeat(gap - left)).append(" |");
    }
    return line.toString();
  }
}
