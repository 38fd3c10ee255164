package io.raftkv.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * The clients' history as the checker's JSONL (docs/history-format.md). The simulator is one
 * thread, so the order lines are recorded in is real-time order, which is what the format means by
 * line order. Values are JSON numbers (every write's value is unique) or null.
 */
final class HistoryRecorder {
  private final Scheduler scheduler;
  private final List<String> lines = new ArrayList<>();
  private int nextProcess;
  private int okCount;
  private int failCount;
  private int infoCount;

  HistoryRecorder(Scheduler scheduler) {
    this.scheduler = scheduler;
  }

  /** A fresh process number: a client gets one per session, and a new one after an info. */
  int newProcess() {
    return nextProcess++;
  }

  void invoke(int process, String f, String key, String value) {
    add(process, "invoke", f, key, value, null);
  }

  void ok(int process, String f, String key, String value) {
    okCount++;
    add(process, "ok", f, key, value, null);
  }

  /** Definitely did not take effect; with {@code error}, it was refused before it ran. */
  void fail(int process, String f, String key, String value, String error) {
    failCount++;
    add(process, "fail", f, key, value, error);
  }

  /** Outcome unknown: the process never invokes again. */
  void info(int process, String f, String key, String value, String error) {
    infoCount++;
    add(process, "info", f, key, value, error);
  }

  private void add(int process, String type, String f, String key, String value, String error) {
    StringBuilder line = new StringBuilder(96);
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
      line.append(",\"error\":\"")
          .append(error.replace("\\", "\\\\").replace("\"", "'"))
          .append('"');
    }
    line.append(",\"time\":").append(scheduler.nowNanos()).append('}');
    lines.add(line.toString());
  }

  List<String> lines() {
    return lines;
  }

  int okCount() {
    return okCount;
  }

  int failCount() {
    return failCount;
  }

  int infoCount() {
    return infoCount;
  }
}
