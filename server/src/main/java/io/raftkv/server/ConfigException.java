package io.raftkv.server;

/**
 * A bad flag or combination of flags, or a data dir that belongs elsewhere: one line for the
 * operator, exit status 2, nothing written.
 */
public final class ConfigException extends RuntimeException {
  /** The exit status of a usage error (as picocli's). */
  public static final int EXIT_CODE = 2;

  public ConfigException(String message) {
    super(message);
  }
}
