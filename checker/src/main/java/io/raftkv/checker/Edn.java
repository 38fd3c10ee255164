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
final class Edn extends TextScanner {
  /** An EDN keyword such as {@code :invoke}, without its colon. */
  record Keyword(String name) {
    @Override
    public String toString() {
      return ":" + name;
    }
  }

  private Edn(String text) {
    super(text, "EDN");
  }

  /** Parses one complete EDN value; throws {@link IllegalArgumentException} saying where. */
  static Object parse(String text) {
    return new Edn(text).parseWhole();
  }

  @Override
  Object value(int depth) {
    startValue(depth);
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
    return quotedString();
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
      String digits =
          token.endsWith("N") || token.endsWith("M")
              ? token.substring(0, token.length() - 1)
              : token;
      try {
        if (digits.length() <= 18 && isInteger(digits)) {
          return Long.parseLong(digits); // the common case, without a BigDecimal per number
        }
        return Values.normalize(new BigDecimal(digits));
      } catch (NumberFormatException e) {
        position = start;
        throw error("bad number '" + token + "'");
      }
    }
    position = start;
    throw error("unsupported symbol '" + token + "'");
  }

  private static boolean isInteger(String digits) {
    for (int i = digits.charAt(0) == '-' || digits.charAt(0) == '+' ? 1 : 0;
        i < digits.length();
        i++) {
      if (digits.charAt(i) < '0' || digits.charAt(i) > '9') {
        return false;
      }
    }
    return true;
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

  /** EDN reads commas as whitespace. */
  @Override
  boolean isWhitespace(char c) {
    return Character.isWhitespace(c) || c == ',';
  }
}
