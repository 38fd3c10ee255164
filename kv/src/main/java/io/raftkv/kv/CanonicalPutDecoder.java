package io.raftkv.kv;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import io.raftkv.kv.proto.CommandProto;
import io.raftkv.kv.proto.PutRequestProto;
import java.io.IOException;

/**
 * {@link CommandCodec#decode}'s shortcut for a plain put, hand-written against the generated field
 * numbers; everything else about the format is {@link CommandCodec}'s.
 */
final class CanonicalPutDecoder {
  private CanonicalPutDecoder() {}

  private static final int VARINT = WireFormat.WIRETYPE_VARINT;
  private static final int DELIMITED = WireFormat.WIRETYPE_LENGTH_DELIMITED;
  private static final int CLIENT_ID_TAG = tag(CommandProto.CLIENT_ID_FIELD_NUMBER, VARINT);
  private static final int SEQUENCE_TAG = tag(CommandProto.SEQUENCE_FIELD_NUMBER, VARINT);
  private static final int PUT_TAG = tag(CommandProto.PUT_FIELD_NUMBER, DELIMITED);
  private static final int KEY_TAG = tag(PutRequestProto.KEY_FIELD_NUMBER, DELIMITED);
  private static final int VALUE_TAG = tag(PutRequestProto.VALUE_FIELD_NUMBER, DELIMITED);
  private static final int LEASE_TAG = tag(PutRequestProto.LEASE_FIELD_NUMBER, VARINT);
  private static final int PREV_KV_TAG = tag(PutRequestProto.PREV_KV_FIELD_NUMBER, VARINT);
  private static final int IGNORE_VALUE_TAG =
      tag(PutRequestProto.IGNORE_VALUE_FIELD_NUMBER, VARINT);
  private static final int IGNORE_LEASE_TAG =
      tag(PutRequestProto.IGNORE_LEASE_FIELD_NUMBER, VARINT);

  private static int tag(int fieldNumber, int wireType) {
    return fieldNumber << 3 | wireType;
  }

  /**
   * The apply path's common case, a plain put, read straight off the wire with protobuf's own
   * reader. The generated parser makes two builders and two messages per entry: that took a put's
   * allocation from 505 to 865 bytes in JMH, and at 1M keys, where the collector is most of a put's
   * cost, cost a third of the puts/s. Only the canonical encoding (what {@link CommandCodec#encode}
   * writes) is taken: every field at most once and in field-number order, nothing unknown, the put
   * last. Anything else, and any defect, is null and goes to the generated parser, which decides
   * and words the error; so the two agree on every input this accepts
   * (CommandCodecTest.theShortcutAgreesWithTheGeneratedParser).
   */
  static Command decode(byte[] bytes) {
    try {
      CodedInputStream in = CodedInputStream.newInstance(bytes);
      long clientId = 0;
      long sequence = 0;
      int tag = in.readTag();
      if (tag == CLIENT_ID_TAG) {
        clientId = in.readUInt64();
        tag = in.readTag();
      }
      if (tag == SEQUENCE_TAG) {
        sequence = in.readUInt64();
        tag = in.readTag();
      }
      if (tag != PUT_TAG) {
        return null;
      }
      int outer = in.pushLimit(in.readRawVarint32());
      byte[] key = NO_BYTES;
      byte[] value = NO_BYTES;
      long lease = 0;
      boolean prevKv = false;
      boolean ignoreValue = false;
      boolean ignoreLease = false;
      tag = in.readTag();
      if (tag == KEY_TAG) {
        key = in.readByteArray();
        tag = in.readTag();
      }
      if (tag == VALUE_TAG) {
        value = in.readByteArray();
        tag = in.readTag();
      }
      if (tag == LEASE_TAG) {
        lease = in.readInt64();
        tag = in.readTag();
      }
      if (tag == PREV_KV_TAG) {
        prevKv = in.readBool();
        tag = in.readTag();
      }
      if (tag == IGNORE_VALUE_TAG) {
        ignoreValue = in.readBool();
        tag = in.readTag();
      }
      if (tag == IGNORE_LEASE_TAG) {
        ignoreLease = in.readBool();
        tag = in.readTag();
      }
      if (tag != 0) {
        return null;
      }
      in.popLimit(outer);
      if (!in.isAtEnd()) {
        return null;
      }
      return new Command(
          clientId,
          sequence,
          new PutRequest(
              Bytes.wrap(key), Bytes.wrap(value), lease, prevKv, ignoreValue, ignoreLease));
    } catch (IOException e) {
      return null;
    }
  }

  private static final byte[] NO_BYTES = {};
}
