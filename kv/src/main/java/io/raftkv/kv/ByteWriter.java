package io.raftkv.kv;

import java.util.Arrays;

/** A growable buffer with the primitives of our formats: unsigned LEB128 varints, raw bytes. */
final class ByteWriter {
  private byte[] buffer;
  private int length;

  ByteWriter(int initialBytes) {
    buffer = new byte[Math.max(16, initialBytes)];
  }

  void u8(int value) {
    ensure(1);
    buffer[length++] = (byte) value;
  }

  /** A long as an unsigned varint: 1 byte below 128, 10 for negatives. */
  void varint(long value) {
    ensure(10);
    while ((value & ~0x7FL) != 0) {
      buffer[length++] = (byte) ((value & 0x7F) | 0x80);
      value >>>= 7;
    }
    buffer[length++] = (byte) value;
  }

  void bool(boolean value) {
    u8(value ? 1 : 0);
  }

  /** Length, then the bytes. */
  void bytes(byte[] value) {
    varint(value.length);
    raw(value, 0, value.length);
  }

  void bytes(Bytes value) {
    bytes(value.array());
  }

  void raw(byte[] value, int offset, int count) {
    ensure(count);
    System.arraycopy(value, offset, buffer, length, count);
    length += count;
  }

  void u32(int value) {
    ensure(4);
    buffer[length++] = (byte) (value >>> 24);
    buffer[length++] = (byte) (value >>> 16);
    buffer[length++] = (byte) (value >>> 8);
    buffer[length++] = (byte) value;
  }

  int length() {
    return length;
  }

  byte[] buffer() {
    return buffer;
  }

  void reset() {
    length = 0;
  }

  byte[] toByteArray() {
    return Arrays.copyOf(buffer, length);
  }

  private void ensure(int more) {
    if (length + more > buffer.length) {
      buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + more));
    }
  }
}
