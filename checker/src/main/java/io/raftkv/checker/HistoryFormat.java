package io.raftkv.checker;

import java.util.List;
import java.util.Locale;

/** The history file formats the checker reads; see docs/history-format.md. */
public enum HistoryFormat {
  /** Our JSON Lines: one JSON object per event. */
  JSONL,
  /** Jepsen's EDN event maps, one per line. */
  EDN,
  /** Jepsen's console log lines, {@code INFO jepsen.util - 3 :invoke :cas [3 0]}. */
  JEPSEN_LOG;

  /** The name used by {@code --format}: jsonl, edn, jepsen-log. */
  public String cliName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** Parses a {@code --format} value. */
  public static HistoryFormat fromCliName(String name) {
    for (HistoryFormat format : values()) {
      if (format.cliName().equals(name)) {
        return format;
      }
    }
    throw new IllegalArgumentException(
        "unknown format '" + name + "' (known: jsonl, edn," + " jepsen-log)");
  }

  /**
   * Detects the format from the first non-blank line; null when there is none (an empty history,
   * which every format reads the same way).
   */
  static HistoryFormat detect(List<String> lines) {
    for (String line : lines) {
      String trimmed = line.strip();
      if (trimmed.isEmpty()) {
        continue;
      }
      if (trimmed.startsWith("{\"") || trimmed.startsWith("{ \"") || trimmed.equals("{}")) {
        return JSONL;
      }
      if (trimmed.startsWith("{")) {
        return EDN;
      }
      if (trimmed.contains("jepsen.")) {
        return JEPSEN_LOG;
      }
      return null;
    }
    return null;
  }
}
