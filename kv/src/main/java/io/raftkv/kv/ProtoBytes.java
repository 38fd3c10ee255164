package io.raftkv.kv;

import com.google.protobuf.ByteOutput;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import java.io.IOException;
import java.nio.ByteBuffer;

/** {@link Bytes} to and from protobuf's {@link ByteString}, without copying where it is safe. */
final class ProtoBytes {
  private ProtoBytes() {}

  static ByteString bytes(Bytes value) {
    // Bytes is immutable and the message lives only until toByteArray(): no copy needed.
    return UnsafeByteOperations.unsafeWrap(value.array());
  }

  /**
   * The array behind {@code value}, which the parser filled for this message alone (decode never
   * aliases the entry) and nothing writes again: handing it over saves a copy of every key and
   * value on the apply path.
   */
  static Bytes bytes(ByteString value) {
    if (value.isEmpty()) {
      return Bytes.empty();
    }
    ArrayCapture capture = new ArrayCapture();
    try {
      UnsafeByteOperations.unsafeWriteTo(value, capture);
    } catch (IOException e) {
      throw new InvariantViolation("capturing a byte string threw " + e);
    }
    return Bytes.wrap(capture.whole != null ? capture.whole : value.toByteArray());
  }

  /** Keeps the array a ByteString writes in one piece; anything else falls back to a copy. */
  private static final class ArrayCapture extends ByteOutput {
    byte[] whole;
    private int pieces;

    @Override
    public void writeLazy(byte[] value, int offset, int length) {
      whole = ++pieces == 1 && offset == 0 && length == value.length ? value : null;
    }

    @Override
    public void write(byte[] value, int offset, int length) {
      pieces++;
      whole = null;
    }

    @Override
    public void write(byte value) {
      pieces++;
      whole = null;
    }

    @Override
    public void write(ByteBuffer value) {
      pieces++;
      whole = null;
    }

    @Override
    public void writeLazy(ByteBuffer value) {
      pieces++;
      whole = null;
    }
  }
}
