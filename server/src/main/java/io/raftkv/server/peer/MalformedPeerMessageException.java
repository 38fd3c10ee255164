package io.raftkv.server.peer;

/** A peer sent a frame that does not decode into a valid Raft message; its stream is closed. */
public final class MalformedPeerMessageException extends RuntimeException {
  public MalformedPeerMessageException(String message) {
    super(message);
  }
}
