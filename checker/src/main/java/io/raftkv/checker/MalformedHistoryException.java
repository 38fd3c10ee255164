package io.raftkv.checker;

/** Bad input: the message names the file and line. Never a verdict. */
public final class MalformedHistoryException extends Exception {
  private final String source;
  private final int line;

  public MalformedHistoryException(String source, int line, String what) {
    super(source + (line > 0 ? ":" + line : "") + ": " + what);
    this.source = source;
    this.line = line;
  }

  /** The file (or other source name) the bad input came from. */
  public String source() {
    return source;
  }

  /** The 1-based line, or 0 when the problem is not on one line. */
  public int line() {
    return line;
  }
}
