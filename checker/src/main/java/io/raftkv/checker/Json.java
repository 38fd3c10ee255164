package io.raftkv.checker;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small JSON reader and string quoter. Our history lines are flat objects of scalars and short
 * arrays, so a hundred-odd lines of our own beat a library dependency the checker would carry into
 * every module that embeds it (sim, chaos).
 *
 * <p>Values map to: object → {@code Map<String,Object>} (insertion order), array → {@code
 * List<Object>}, string → {@code String}, integer → {@code Long} (or {@code BigDecimal} when it
 * does not fit), other numbers → {@code BigDecimal}, {@code true}/{@code false} → {@code Boolean},
 * {@code null} → {@link #NULL}.
 */
final class Json extends TextScanner {
  /** JSON null; a sentinel so that maps and lists never hold a Java null. */
  static final Object NULL =
      new Object() {
        @Override
        public String toString() {
          return "null";
        }
      };

  private Json(String text) {
    super(text, "JSON");
  }

  /** Parses one complete JSON value; throws {@link IllegalArgumentException} saying where. */
  static Object parse(String text) {
    return new Json(text).parseWhole();
  }

  @Override
  Object value(int depth) {
    startValue(depth);
    char c = text.charAt(position);
    return switch (c) {
      case '{' -> object(depth);
      case '[' -> array(depth);
      case '"' -> string();
      case 't' -> literal("true", true);
      case 'f' -> literal("false", false);
      case 'n' -> literal("null", NULL);
      default -> {
        if (c == '-' || (c >= '0' && c <= '9')) {
          yield number();
        }
        throw error("unexpected character '" + c + "'");
      }
    };
  }

  private Map<String, Object> object(int depth) {
    position++;
    Map<String, Object> map = new LinkedHashMap<>();
    skipWhitespace();
    if (peek() == '}') {
      position++;
      return map;
    }
    while (true) {
      skipWhitespace();
      if (peek() != '"') {
        throw error("expected a quoted field name");
      }
      String name = string();
      skipWhitespace();
      expect(':');
      skipWhitespace();
      if (map.put(name, value(depth + 1)) != null) {
        throw error("duplicate field \"" + name + "\"");
      }
      skipWhitespace();
      if (peek() == ',') {
        position++;
        continue;
      }
      expect('}');
      return map;
    }
  }

  private List<Object> array(int depth) {
    position++;
    List<Object> list = new ArrayList<>();
    skipWhitespace();
    if (peek() == ']') {
      position++;
      return Collections.unmodifiableList(list);
    }
    while (true) {
      skipWhitespace();
      list.add(value(depth + 1));
      skipWhitespace();
      if (peek() == ',') {
        position++;
        continue;
      }
      expect(']');
      return Collections.unmodifiableList(list);
    }
  }

  private String string() {
    return quotedString();
  }

  @Override
  boolean rejectsControlCharacters() {
    return true;
  }

  @Override
  char escape(char escaped) {
    return switch (escaped) {
      case '/' -> '/';
      case 'b' -> '\b';
      case 'f' -> '\f';
      case 'u' -> unicodeEscape();
      default -> super.escape(escaped);
    };
  }

  private char unicodeEscape() {
    if (position + 4 > text.length()) {
      throw error("short \\u escape");
    }
    try {
      char c = (char) Integer.parseInt(text.substring(position, position + 4), 16);
      position += 4;
      return c;
    } catch (NumberFormatException e) {
      throw error("bad \\u escape");
    }
  }

  private Object number() {
    int start = position;
    if (peek() == '-') {
      position++;
    }
    boolean integral = true;
    while (position < text.length()) {
      char c = text.charAt(position);
      if (c >= '0' && c <= '9') {
        position++;
      } else if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
        integral = false;
        position++;
      } else {
        break;
      }
    }
    String digits = text.substring(start, position);
    try {
      if (integral && digits.length() <= 18) {
        return Long.parseLong(digits);
      }
      return Values.normalize(new BigDecimal(digits));
    } catch (NumberFormatException e) {
      position = start;
      throw error("bad number '" + digits + "'");
    }
  }

  private Object literal(String word, Object value) {
    if (!text.startsWith(word, position)) {
      throw error("unexpected token");
    }
    position += word.length();
    return value;
  }

  private void expect(char c) {
    if (peek() != c) {
      throw error("expected '" + c + "'");
    }
    position++;
  }

  /** Appends {@code s} as a JSON string literal. */
  static StringBuilder quote(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"');
  }

  /** Writes a value of the shapes {@link #parse} returns (plus Java null as JSON null). */
  static StringBuilder write(StringBuilder out, Object value) {
    if (value == null || value == NULL || value == Values.NIL) {
      return out.append("null");
    }
    if (value instanceof String s) {
      return quote(out, s);
    }
    if (value instanceof List<?> list) {
      out.append('[');
      for (int i = 0; i < list.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        write(out, list.get(i));
      }
      return out.append(']');
    }
    if (value instanceof Map<?, ?> map) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (!first) {
          out.append(',');
        }
        first = false;
        quote(out, String.valueOf(e.getKey())).append(':');
        write(out, e.getValue());
      }
      return out.append('}');
    }
    if (value instanceof Number || value instanceof Boolean) {
      return out.append(value);
    }
    return quote(out, String.valueOf(value));
  }
}
