package io.raftkv.chaos;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The workload's history in the checker's JSONL (docs/history-format.md), written as it happens.
 * Line order is what the checker takes for real-time order, so an invocation is recorded before its
 * request leaves and a completion after its answer arrived, each under this object's lock: a line
 * that precedes another here happened before it. Values are JSON integers or null.
 */
public final class HistoryLog implements AutoCloseable {
  /** How an operation ended, as the format's {@code type}. */
  public enum Type {
    OK,
    FAIL,
    INFO
  }

  private final BufferedWriter file;
  private final List<String> lines = new ArrayList<>();
  private final long startNanos = System.nanoTime();
  private int nextProcess;
  private long ok;
  private long fail;
  private long info;
  private long refused;

  /** Creates (or replaces) {@code path}. */
  public HistoryLog(Path path) {
    try {
      this.file = Files.newBufferedWriter(path, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the history to " + path, e);
    }
  }

  /** A process number never used before: one per client, and a new one after each info. */
  public synchronized int newProcess() {
    return nextProcess++;
  }

  /** {@code value}: the argument as JSON ({@code 7}, {@code [1,2]}), null for a read. */
  public synchronized void invoke(int process, String f, String key, String value) {
    add(process, "invoke", f, key, value, null);
  }

  /**
   * A completion. {@code error} only for a FAIL refused before it ran or an INFO's reason; a FAIL
   * without error is a CAS whose comparison was false.
   */
  public synchronized void complete(
      int process, Type type, String f, String key, String value, String error) {
    switch (type) {
      case OK -> ok++;
      case FAIL -> {
        fail++;
        refused += error != null ? 1 : 0;
      }
      case INFO -> info++;
    }
    add(process, type.name().toLowerCase(java.util.Locale.ROOT), f, key, value, error);
  }

  /** Completions so far: ok, fail, info. */
  public synchronized Counts counts() {
    return new Counts(ok, fail, info, refused);
  }

  /**
   * Completions of each kind.
   *
   * @param refused the fails refused before they ran (the others are compare-and-sets whose value
   *     did not match)
   */
  public record Counts(long ok, long fail, long info, long refused) {
    public long total() {
      return ok + fail + info;
    }

    /** For people: {@code 300 ok, 80 failed (60 compare-and-set mismatches, 20 refused), ...}. */
    public String describe() {
      return String.format(
          "%d ok, %d failed (%d compare-and-set mismatches, %d refused before running), %d"
              + " indeterminate (timed out or cut off: may or may not have applied)",
          ok, fail, fail - refused, refused, info);
    }
  }

  public synchronized List<String> lines() {
    return List.copyOf(lines);
  }

  private void add(int process, String type, String f, String key, String value, String error) {
    StringBuilder line = new StringBuilder(112);
    line.append("{\"process\":")
        .append(process)
        .append(",\"type\":\"")
        .append(type)
        .append("\",\"f\":\"")
        .append(f)
        .append("\",\"key\":\"")
        .append(key)
        .append('"');
    if (value != null) {
      line.append(",\"value\":").append(value);
    }
    if (error != null) {
      line.append(",\"error\":\"").append(jsonText(error)).append('"');
    }
    line.append(",\"time\":").append(System.nanoTime() - startNanos).append('}');
    lines.add(line.toString());
    try {
      file.write(line.toString());
      file.newLine();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the history", e);
    }
  }

  private static String jsonText(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20) {
        out.append(' ');
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  @Override
  public synchronized void close() {
    try {
      file.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close the history", e);
    }
  }
}
