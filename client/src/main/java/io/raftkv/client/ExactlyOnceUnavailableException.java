package io.raftkv.client;

/**
 * The cluster does not offer raftkv's client sessions (a real etcd answers the session service with
 * UNIMPLEMENTED), and the client was built with {@link ExactlyOnce#REQUIRED}: the write was not
 * sent, rather than sent without the guarantee.
 */
public final class ExactlyOnceUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  ExactlyOnceUnavailableException(String message) {
    super(message);
  }
}
