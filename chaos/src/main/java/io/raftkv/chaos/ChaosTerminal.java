package io.raftkv.chaos;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a chaos run tells the person watching: one line per step, prefixed with the seconds since
 * the run began, from any thread.
 */
final class ChaosTerminal {
  private final PrintWriter out;
  private final long startNanos = System.nanoTime();

  ChaosTerminal(PrintWriter out) {
    this.out = out;
  }

  void say(String line) {
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    synchronized (out) {
      out.printf("[%6.1fs] %s%n", seconds, line);
      out.flush();
    }
  }

  /** The verdict, unprefixed, so that a script can match the line as it is. */
  void verdict(String line) {
    synchronized (out) {
      out.println(line);
      out.flush();
    }
  }

  /**
   * A log that writes each line to {@code file} as it is (the nemesis's wall-clock lines) and also
   * says it here without its timestamp.
   */
  PrintWriter tee(Path file) throws IOException {
    Writer log = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
    return new PrintWriter(
        new Writer() {
          private final StringBuilder line = new StringBuilder();

          @Override
          public void write(char[] buffer, int offset, int length) {
            for (int i = offset; i < offset + length; i++) {
              if (buffer[i] == '\n') {
                lineDone();
              } else {
                line.append(buffer[i]);
              }
            }
          }

          private void lineDone() {
            String text = line.toString();
            line.setLength(0);
            try {
              log.write(text);
              log.write('\n');
              log.flush();
            } catch (IOException e) {
              throw new UncheckedIOException("cannot write " + file, e);
            }
            int space = text.indexOf(' ');
            String step = space < 0 ? text : text.substring(space + 1);
            say(step.startsWith("nemesis ") ? step : "nemesis: " + step);
          }

          @Override
          public void flush() {}

          @Override
          public void close() throws IOException {
            log.close();
          }
        });
  }
}
