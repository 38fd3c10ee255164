package io.raftkv.cli;

import java.io.Console;

/** Whether a person is watching: progress lines only make sense on a terminal. */
final class Terminal {
  private Terminal() {}

  /**
   * True when standard input and output are a terminal. From JDK 22 on, {@code System.console()}
   * answers even when they are redirected, and {@code Console.isTerminal()} (JDK 22+, not in our
   * release 21 API) tells the two apart; on JDK 21 a console exists only on a terminal.
   */
  @SuppressWarnings("SystemConsoleNull") // null on JDK 21 off a terminal; isTerminal after
  static boolean interactive() {
    Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
    } catch (NoSuchMethodException e) {
      return true;
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("Console.isTerminal failed", e);
    }
  }
}
