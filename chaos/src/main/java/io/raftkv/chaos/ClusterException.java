package io.raftkv.chaos;

import java.io.Serial;

/**
 * A local cluster cannot do what was asked (already running, a port taken, a member that died on
 * start-up): the message says what, and what to do; nothing has been deleted.
 */
public final class ClusterException extends RuntimeException {
  @Serial private static final long serialVersionUID = 1L;

  public ClusterException(String message) {
    super(message);
  }
}
