package io.raftkv.kv;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An immutable byte string, used for keys and values. Equality and order are by content, bytes
 * compared unsigned (etcd's order). Immutability is what lets a snapshot thread read versions while
 * the apply thread goes on writing.
 */
public final class Bytes implements Comparable<Bytes> {
  private static final byte[] NO_BYTES = new byte[0];
  private static final Bytes EMPTY = new Bytes(NO_BYTES);
  private static final int PRINT_BYTES_MAX = 48;

  private final byte[] bytes;

  private Bytes(byte[] bytes) {
    this.bytes = bytes;
  }

  public static Bytes empty() {
    return EMPTY;
  }

  /** A copy of {@code bytes}: later changes to the array do not reach this value. */
  public static Bytes copyOf(byte[] bytes) {
    return bytes.length == 0 ? EMPTY : new Bytes(bytes.clone());
  }

  public static Bytes utf8(String text) {
    return wrap(text.getBytes(StandardCharsets.UTF_8));
  }

  /** No copy: the caller hands the array over and never writes it again. */
  static Bytes wrap(byte[] bytes) {
    return bytes.length == 0 ? EMPTY : new Bytes(bytes);
  }

  /** The backing array, for readers inside the module that promise not to write it. */
  byte[] array() {
    return bytes;
  }

  public byte[] toByteArray() {
    return bytes.clone();
  }

  public int length() {
    return bytes.length;
  }

  public boolean isEmpty() {
    return bytes.length == 0;
  }

  public byte byteAt(int index) {
    return bytes[index];
  }

  public String toStringUtf8() {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  @Override
  public int compareTo(Bytes other) {
    return Arrays.compareUnsigned(bytes, other.bytes);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Bytes b && Arrays.equals(bytes, b.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  /** Printable ASCII as is, the rest escaped, long strings cut: keys are logged, never values. */
  @Override
  public String toString() {
    return printable(bytes);
  }

  static String printable(byte[] bytes) {
    StringBuilder out = new StringBuilder("\"");
    int shown = Math.min(bytes.length, PRINT_BYTES_MAX);
    for (int i = 0; i < shown; i++) {
      int b = bytes[i] & 0xff;
      if (b >= 0x20 && b < 0x7f && b != '"' && b != '\\') {
        out.append((char) b);
      } else {
        out.append(String.format("\\x%02x", b));
      }
    }
    if (shown < bytes.length) {
      out.append("...(").append(bytes.length).append(" bytes)");
    }
    return out.append('"').toString();
  }
}
