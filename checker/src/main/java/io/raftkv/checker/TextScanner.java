package io.raftkv.checker;

/**
 * What the JSON and EDN readers share: a cursor over one line, whitespace, errors that name the
 * column, the nesting bound, and double-quoted strings with the escapes both formats know.
 */
abstract class TextScanner {
  static final int DEPTH_MAX = 64;

  final String text;
  int position;
  private final String format;

  TextScanner(String text, String format) {
    this.text = text;
    this.format = format;
  }

  /** Parses the whole text as one value; throws {@link IllegalArgumentException} saying where. */
  final Object parseWhole() {
    skipWhitespace();
    Object value = value(0);
    skipWhitespace();
    if (position != text.length()) {
      throw error("unexpected text after the value");
    }
    return value;
  }

  abstract Object value(int depth);

  /** Before each value: nesting stays bounded, and there is something left to read. */
  final void startValue(int depth) {
    if (depth > DEPTH_MAX) {
      throw error("nested deeper than " + DEPTH_MAX);
    }
    if (position >= text.length()) {
      throw error("unexpected end of line");
    }
  }

  boolean isWhitespace(char c) {
    return Character.isWhitespace(c);
  }

  /** An escape only this format knows, after its backslash; others are errors. */
  char escape(char escaped) {
    throw error("bad escape '\\" + escaped + "'");
  }

  boolean rejectsControlCharacters() {
    return false;
  }

  /** A string starting at its opening quote. */
  final String quotedString() {
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
      if (c < 0x20 && rejectsControlCharacters()) {
        throw error("control character in a string");
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
        default -> out.append(escape(e));
      }
    }
  }

  final char peek() {
    return position < text.length() ? text.charAt(position) : '\0';
  }

  final void skipWhitespace() {
    while (position < text.length() && isWhitespace(text.charAt(position))) {
      position++;
    }
  }

  final IllegalArgumentException error(String what) {
    return new IllegalArgumentException(
        "bad " + format + " at column " + (position + 1) + ": " + what);
  }
}
