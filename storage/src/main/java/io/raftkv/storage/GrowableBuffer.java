package io.raftkv.storage;

import java.nio.ByteBuffer;
import java.util.Arrays;

/** A byte array that grows as records are encoded into it; reused across batches. */
final class GrowableBuffer {
  private byte[] bytes;
  private int position;

  GrowableBuffer(int initialBytes) {
    bytes = new byte[initialBytes];
  }

  int position() {
    return position;
  }

  void position(int newPosition) {
    position = newPosition;
  }

  byte[] array() {
    return bytes;
  }

  void clear() {
    position = 0;
  }

  /** The bytes written so far, as a buffer ready to be written to a file. */
  ByteBuffer contents() {
    return ByteBuffer.wrap(bytes, 0, position);
  }

  void put(byte value) {
    ensure(1);
    bytes[position++] = value;
  }

  void put(byte[] values) {
    ensure(values.length);
    System.arraycopy(values, 0, bytes, position, values.length);
    position += values.length;
  }

  void putShort(short value) {
    ensure(2);
    bytes[position++] = (byte) (value >>> 8);
    bytes[position++] = (byte) value;
  }

  void putInt(int value) {
    ensure(4);
    putInt(position, value);
    position += 4;
  }

  void putInt(int at, int value) {
    bytes[at] = (byte) (value >>> 24);
    bytes[at + 1] = (byte) (value >>> 16);
    bytes[at + 2] = (byte) (value >>> 8);
    bytes[at + 3] = (byte) value;
  }

  void putLong(long value) {
    putInt((int) (value >>> 32));
    putInt((int) value);
  }

  private void ensure(int extra) {
    if (position + extra > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(position + extra, bytes.length * 2));
    }
  }
}
