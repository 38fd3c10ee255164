package io.raftkv.kv;

/** Bytes that are not a command of a format version we know; says where decoding stopped. */
public final class MalformedCommandException extends Exception {
  public MalformedCommandException(String message) {
    super(message);
  }
}
