package io.raftkv.raft;

/**
 * The core's logger, injected so the core stays free of I/O (STYLE.md §9). Lines are key=value and
 * open with the node and term; callers route them to SLF4J or to a test's transcript.
 */
public interface CoreLog {
  CoreLog SILENT =
      new CoreLog() {
        @Override
        public boolean debugEnabled() {
          return false;
        }

        @Override
        public void info(String line) {}

        @Override
        public void debug(String line) {}
      };

  /** Lets the core skip building DEBUG lines on its hot paths. */
  boolean debugEnabled();

  /** Role, term and membership changes. */
  void info(String line);

  /** Per-message detail. */
  void debug(String line);
}
