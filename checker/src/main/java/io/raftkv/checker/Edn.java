package io.raftkv.checker;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the subset of EDN that Jepsen writes into history files: maps, vectors, lists, keywords,
 * strings, integers, decimals, {@code nil}, {@code true}, {@code false}. Commas are whitespace.
 * Keywords become {@link Keyword}; {@code nil} becomes {@link Values#NIL}.
 */
final class Edn {
  /** An EDN keyword such as {@code :invoke}, without its colon. */
  record Keyword(String name) {
    @Override
    public String toString() {
      return ":" + name;
    }
  }

  private static final int DEPTH_MAX = 64;

  private final String text;
  private int position;

  private Edn(String text) {
    this.text = text;
  }

  /** Parses one complete EDN value; throws {@link IllegalArgumentException} saying where. */
  static Object parse(String text) {
    Edn edn = new Edn(text);
    edn.skipWhitespace();
    Object value = edn.value(0);
    edn.skipWhitespace();
    if (edn.position != text.length()) {
      throw edn.error("unexpected text after the value");
    }
    return value;
  }

  private Object value(int depth) {
    if (depth > DEPTH_MAX) {
      throw error("nested deeper than " + DEPTH_MAX);
    }
    if (position >= text.length()) {
      throw error("unexpected end of line");
    }
    char c = text.charAt(position);
    return switch (c) {
      case '{' -> map(depth);
      case '[' -> sequence(depth, ']');
      case '(' -> sequence(depth, ')');
      case '"' -> string();
      case ':' -> {
        position++;
        yield new Keyword(symbol());
      }
      default -> atom();
    };
  }

  private Map<Object, Object> map(int depth) {
    position++;
    Map<Object, Object> map = new LinkedHashMap<>();
    while (true) {
      skipWhitespace();
      if (peek() == '}') {
        position++;
        return map;
      }
      Object key = value(depth + 1);
      skipWhitespace();
      if (peek() == '}') {
        throw error("map has a key without a value");
      }
      if (map.put(key, value(depth + 1)) != null) {
        throw error("duplicate key " + key);
      }
    }
  }

  private List<Object> sequence(int depth, char close) {
    position++;
    List<Object> list = new ArrayList<>();
    while (true) {
      skipWhitespace();
      if (peek() == close) {
        position++;
        return Collections.unmodifiableList(list);
      }
      list.add(value(depth + 1));
    }
  }

  private String string() {
    position++;
    StringBuilder out = new StringBuilder();
    while (true) {
      if (position >= text.length()) {
        throw error("unterminated string");
      }
      char c = text.charAt(position++);
      if (c == '"') {
        return out.toString();
      }
      if (c != '\\') {
        out.append(c);
        continue;
      }
      if (position >= text.length()) {
        throw error("unterminated escape");
      }
      char e = text.charAt(position++);
      switch (e) {
        case '"', '\\' -> out.append(e);
        case 'n' -> out.append('\n');
        case 'r' -> out.append('\r');
        case 't' -> out.append('\t');
        default -> throw error("bad escape '\\" + e + "'");
      }
    }
  }

  private Object atom() {
    int start = position;
    String token = symbol();
    if (token.isEmpty()) {
      throw error("unexpected character '" + text.charAt(start) + "'");
    }
    switch (token) {
      case "nil":
        return Values.NIL;
      case "true":
        return Boolean.TRUE;
      case "false":
        return Boolean.FALSE;
      default:
        break;
    }
    char first = token.charAt(0);
    if (Character.isDigit(first) || ((first == '-' || first == '+') && token.length() > 1)) {
      String digits = token.endsWith("N") || token.endsWith("M")
          ? token.substring(0, token.length() - 1) : token;
      try {
        return Values.normalize(new BigDecimal(digits));
      } catch (NumberFormatException e) {
        position = start;
        throw error("bad number '" + token + "'");
      }
    }
    position = start;
    throw error("unsupported symbol '" + token + "'");
  }

  private String symbol() {
    int start = position;
    while (position < text.length()) {
      char c = text.charAt(position);
      if (Character.isWhitespace(c) || c == ',' || "{}[]()\"".indexOf(c) >= 0) {
        break;
      }
      position++;
    }
    return text.substring(start, position);
  }

  private char peek() {
    return position < text.length() ? text.charAt(position) : '\0';
  }

  private void skipWhitespace() {
    while (position < text.length()
        && (Character.isWhitespace(text.charAt(position)) || text.charAt(position) == ',')) {
      position++;
    }
  }

  private IllegalArgumentException error(String what) {
    return new IllegalArgumentException("bad EDN at column " + (position + 1) + ": " + what);
  }
}
