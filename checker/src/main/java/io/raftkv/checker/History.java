package io.raftkv.checker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A concurrent history: operations in invocation order, each with the positions of its events.
 * Positions, not timestamps, give real-time order: line order is the order events happened.
 *
 * @param source the file name (or other label) errors and reports name
 * @param operations every operation, ordered by invocation
 * @param eventCount how many events (lines that are invocations or completions) were read
 */
public record History(String source, List<Operation> operations, int eventCount) {
  public History {
    operations = List.copyOf(operations);
  }

  /** Reads a file, detecting its format from its content. */
  public static History read(Path file) throws IOException, MalformedHistoryException {
    return read(file, null);
  }

  /** Reads a file in the given format; null detects it from the content. */
  public static History read(Path file, HistoryFormat format)
      throws IOException, MalformedHistoryException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    return parse(file.toString(), lines, format);
  }

  /** Parses lines; null format detects it. Blank lines are skipped. */
  public static History parse(String source, List<String> lines, HistoryFormat format)
      throws MalformedHistoryException {
    HistoryFormat chosen = format != null ? format : HistoryFormat.detect(lines);
    if (chosen == null) {
      for (int i = 0; i < lines.size(); i++) {
        if (!lines.get(i).isBlank()) {
          throw new MalformedHistoryException(
              source, i + 1, "not a history line in any known format (jsonl, edn, jepsen-log)");
        }
      }
      return new History(source, List.of(), 0);
    }
    List<Event> events = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) {
        continue;
      }
      try {
        Event event = EventParser.parse(chosen, i + 1, line);
        if (event != null) {
          events.add(event);
        }
      } catch (IllegalArgumentException e) {
        throw new MalformedHistoryException(source, i + 1, e.getMessage());
      }
    }
    return pair(source, events);
  }

  /** Joins each completion to its process's open invocation: the next line of that process. */
  private static History pair(String source, List<Event> events) throws MalformedHistoryException {
    List<Operation> operations = new ArrayList<>();
    Map<Long, Integer> openByProcess = new HashMap<>();
    Map<Long, Integer> retiredAtLine = new HashMap<>();
    List<Event> invocations = new ArrayList<>();
    List<Integer> invokeIndexes = new ArrayList<>();
    for (int index = 0; index < events.size(); index++) {
      Event event = events.get(index);
      Integer open = openByProcess.get(event.process());
      if (event.type() == Event.Type.INVOKE) {
        if (open != null) {
          throw new MalformedHistoryException(
              source,
              event.line(),
              "process "
                  + event.process()
                  + " invokes while its operation invoked at line "
                  + invocations.get(open).line()
                  + " has no completion");
        }
        Integer retired = retiredAtLine.get(event.process());
        if (retired != null) {
          throw new MalformedHistoryException(
              source,
              event.line(),
              "process "
                  + event.process()
                  + " invokes after its operation ended in info at line "
                  + retired);
        }
        openByProcess.put(event.process(), invocations.size());
        invocations.add(event);
        invokeIndexes.add(index);
        operations.add(null);
        continue;
      }
      if (open == null) {
        throw new MalformedHistoryException(
            source,
            event.line(),
            "completion "
                + event.type().name().toLowerCase(java.util.Locale.ROOT)
                + " for process "
                + event.process()
                + ", which has no operation in progress");
      }
      Event invoke = invocations.get(open);
      if (!invoke.function().equals(event.function())) {
        throw new MalformedHistoryException(
            source,
            event.line(),
            "completion of '"
                + event.function()
                + "' for process "
                + event.process()
                + " whose invocation at"
                + " line "
                + invoke.line()
                + " was '"
                + invoke.function()
                + "'");
      }
      openByProcess.remove(event.process());
      if (event.type() == Event.Type.INFO) {
        retiredAtLine.put(event.process(), event.line());
      }
      operations.set(open, operation(open, invoke, invokeIndexes.get(open), event, index));
    }
    for (int id = 0; id < operations.size(); id++) {
      if (operations.get(id) == null) {
        operations.set(id, operation(id, invocations.get(id), invokeIndexes.get(id), null, -1));
      }
    }
    return new History(source, operations, events.size());
  }

  private static Operation operation(
      int id, Event invoke, int invokeIndex, Event completion, int completeIndex) {
    Outcome outcome =
        completion == null
            ? Outcome.UNKNOWN
            : switch (completion.type()) {
              case OK -> Outcome.OK;
              case FAIL -> Outcome.FAIL;
              case INFO, INVOKE -> Outcome.UNKNOWN;
            };
    Object output = outcome == Outcome.OK ? completion.value() : Values.NIL;
    String error = completion == null ? null : completion.error();
    return new Operation(
        id,
        invoke.process(),
        invoke.function(),
        invoke.key(),
        invoke.value(),
        output,
        outcome,
        error,
        invokeIndex,
        completeIndex,
        invoke.line(),
        completion == null ? 0 : completion.line());
  }
}
