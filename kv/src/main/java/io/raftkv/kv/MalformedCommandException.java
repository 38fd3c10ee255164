package io.raftkv.kv;

/**
 * Bytes that are not a command (or a stored response); says where: the byte offset, or the field
 * path of a protobuf message that is not a valid command.
 */
public final class MalformedCommandException extends Exception {
  public MalformedCommandException(String message) {
    super(message);
  }
}
