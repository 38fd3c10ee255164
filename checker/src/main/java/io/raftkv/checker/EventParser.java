package io.raftkv.checker;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns one line of any supported format into an {@link Event}; errors say what is wrong. */
final class EventParser {
  /** {@code INFO jepsen.util - 3 :invoke :cas [3 0]}: fields split on any run of whitespace. */
  private static final Pattern JEPSEN_LOG =
      Pattern.compile(
          "^\\S+\\s+jepsen\\.util\\s+-\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)(?:\\s+(.*?))?\\s*$");

  private EventParser() {}

  /** The event on this line, or null for a line that is deliberately skipped. */
  static Event parse(HistoryFormat format, int line, String text) {
    return switch (format) {
      case JSONL -> fromJson(line, text);
      case EDN -> fromEdn(line, text);
      case JEPSEN_LOG -> fromJepsenLog(line, text);
    };
  }

  private static Event fromJson(int line, String text) {
    if (!(Json.parse(text) instanceof Map<?, ?> map)) {
      throw new IllegalArgumentException("expected a JSON object");
    }
    if (!(map.get("process") instanceof Long process)) {
      throw new IllegalArgumentException(
          "\"process\" must be an integer, got " + Values.show(map.get("process")));
    }
    Event.Type type = type(map.get("type") instanceof String s ? s : null, map.get("type"));
    if (!(map.get("f") instanceof String function) || function.isEmpty()) {
      throw new IllegalArgumentException(
          "\"f\" must be a non-empty string, got " + Values.show(map.get("f")));
    }
    Object key = map.get("key");
    if (key == Json.NULL) {
      key = null;
    }
    if (key != null && !(key instanceof String || key instanceof Long)) {
      throw new IllegalArgumentException(
          "\"key\" must be a string or an integer, got " + Values.show(key));
    }
    Object time = map.get("time");
    if (time != null && !(time instanceof Long)) {
      throw new IllegalArgumentException(
          "\"time\" must be an integer (nanoseconds), got " + Values.show(time));
    }
    Object error = map.get("error");
    String errorText =
        error == null || error == Json.NULL
            ? null
            : error instanceof String s ? s : Values.show(error);
    return new Event(
        line, process, type, function, key, Values.canonical(map.get("value")), errorText);
  }

  private static Event fromEdn(int line, String text) {
    if (!(Edn.parse(text) instanceof Map<?, ?> map)) {
      throw new IllegalArgumentException("expected an EDN map");
    }
    Object process = map.get(new Edn.Keyword("process"));
    if (process instanceof Edn.Keyword) {
      return null; // Jepsen's :nemesis and similar: not a client, no operation on the data.
    }
    if (!(process instanceof Long id)) {
      throw new IllegalArgumentException(
          ":process must be an integer, got " + Values.show(process));
    }
    Object typeValue = map.get(new Edn.Keyword("type"));
    Event.Type type = type(typeValue instanceof Edn.Keyword k ? k.name() : null, typeValue);
    String function = name(map.get(new Edn.Keyword("f")), ":f");
    Object key = map.get(new Edn.Keyword("key"));
    if (key == Values.NIL) {
      key = null;
    }
    Object error = map.get(new Edn.Keyword("error"));
    String errorText =
        error == null || error == Values.NIL
            ? null
            : error instanceof String s ? s : String.valueOf(error);
    Object value = map.get(new Edn.Keyword("value"));
    return new Event(line, id, type, function, key, value == null ? Values.NIL : value, errorText);
  }

  private static Event fromJepsenLog(int line, String text) {
    if (!text.contains("jepsen.util")) {
      return null; // another logger's line in the same console log
    }
    Matcher m = JEPSEN_LOG.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException("expected 'LEVEL jepsen.util - PROCESS :TYPE :F VALUE'");
    }
    if (m.group(1).startsWith(":")) {
      return null; // :nemesis
    }
    long process;
    try {
      process = Long.parseLong(m.group(1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("process must be an integer, got '" + m.group(1) + "'");
    }
    Object typeValue = Edn.parse(m.group(2));
    Event.Type type = type(typeValue instanceof Edn.Keyword k ? k.name() : null, typeValue);
    String function = name(Edn.parse(m.group(3)), "f");
    Object value = m.group(4) == null ? Values.NIL : Edn.parse(m.group(4));
    // An info or fail line carries the reason (:timed-out) where the value would be.
    String error = null;
    if (type == Event.Type.INFO || type == Event.Type.FAIL) {
      if (value instanceof Edn.Keyword reason) {
        error = reason.name();
        value = Values.NIL;
      }
    }
    return new Event(line, process, type, function, null, value, error);
  }

  private static Event.Type type(String name, Object raw) {
    if (name != null) {
      switch (name) {
        case "invoke":
          return Event.Type.INVOKE;
        case "ok":
          return Event.Type.OK;
        case "fail":
          return Event.Type.FAIL;
        case "info":
          return Event.Type.INFO;
        default:
          break;
      }
    }
    throw new IllegalArgumentException(
        "type must be invoke, ok, fail or info, got " + Values.show(raw));
  }

  private static String name(Object value, String field) {
    if (value instanceof Edn.Keyword keyword) {
      return keyword.name();
    }
    if (value instanceof String s && !s.isEmpty()) {
      return s;
    }
    throw new IllegalArgumentException(field + " must be a keyword, got " + Values.show(value));
  }
}
