package io.raftkv.kv;

import java.util.Arrays;

/**
 * Reads what {@link ByteWriter} wrote (stored session responses), checking every length against
 * what is left so garbage fails with the offset instead of allocating gigabytes or running off the
 * end.
 */
final class ByteReader {
  private final byte[] data;
  private int offset;

  ByteReader(byte[] data) {
    this.data = data;
  }

  int remaining() {
    return data.length - offset;
  }

  int u8() throws MalformedCommandException {
    if (offset >= data.length) {
      throw error("unexpected end");
    }
    return data[offset++] & 0xff;
  }

  long varint() throws MalformedCommandException {
    long value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int b = u8();
      if (shift == 63 && b > 1) {
        throw error("varint overflows 64 bits");
      }
      value |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return value;
      }
    }
    throw error("varint longer than 10 bytes");
  }

  /** A varint that must fit in [0, max]. */
  int count(int max, String what) throws MalformedCommandException {
    long value = varint();
    if (value < 0 || value > max) {
      throw error(what + " " + value + " out of range [0, " + max + "]");
    }
    return (int) value;
  }

  boolean bool() throws MalformedCommandException {
    int b = u8();
    if (b > 1) {
      throw error("boolean byte " + b);
    }
    return b == 1;
  }

  byte[] bytes() throws MalformedCommandException {
    int length = count(remaining(), "length");
    byte[] value = Arrays.copyOfRange(data, offset, offset + length);
    offset += length;
    return value;
  }

  <E extends Enum<E>> E enumValue(E[] values, String what) throws MalformedCommandException {
    int ordinal = u8();
    if (ordinal >= values.length) {
      throw error(what + " " + ordinal + " unknown");
    }
    return values[ordinal];
  }

  void expectEnd() throws MalformedCommandException {
    if (remaining() != 0) {
      throw error(remaining() + " trailing bytes");
    }
  }

  MalformedCommandException error(String what) {
    return new MalformedCommandException(what + " at offset " + offset + " of " + data.length);
  }
}
