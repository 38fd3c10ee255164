package io.raftkv.checker;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;

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

  /**
   * Reads a file in the given format; null detects it from the content. The file is streamed: only
   * the operations are kept, not its lines or events.
   */
  public static History read(Path file, HistoryFormat format)
      throws IOException, MalformedHistoryException {
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return parse(file.toString(), reader.lines().iterator(), format);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** Parses lines; null format detects it. Blank lines are skipped. */
  public static History parse(String source, List<String> lines, HistoryFormat format)
      throws MalformedHistoryException {
    return parse(source, lines.iterator(), format);
  }

  private static History parse(String source, Iterator<String> lines, HistoryFormat format)
      throws MalformedHistoryException {
    HistoryBuilder builder = new HistoryBuilder(source);
    HistoryFormat chosen = format;
    for (int number = 1; lines.hasNext(); number++) {
      String line = lines.next();
      if (line.isBlank()) {
        continue;
      }
      if (chosen == null) {
        chosen = HistoryFormat.detect(List.of(line));
        if (chosen == null) {
          throw new MalformedHistoryException(
              source, number, "not a history line in any known format (jsonl, edn, jepsen-log)");
        }
      }
      Event event;
      try {
        event = EventParser.parse(chosen, number, line);
      } catch (IllegalArgumentException e) {
        throw new MalformedHistoryException(source, number, e.getMessage());
      }
      if (event != null) {
        builder.add(event);
      }
    }
    return builder.build();
  }
}
