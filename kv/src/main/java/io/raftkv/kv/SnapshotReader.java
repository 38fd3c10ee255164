package io.raftkv.kv;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;

/**
 * Rebuilds a {@link StoreState} from {@link KvSnapshot#writeTo}'s bytes, checking what a corrupt or
 * foreign stream would break (order of keys and versions, revisions, lease references, lengths, the
 * CRC) and naming the byte offset of the first defect.
 */
final class SnapshotReader {
  /** A session's stored response may be a whole range read: far above one request. */
  private static final int RESPONSE_BYTES_MAX = Integer.MAX_VALUE - 16;

  private final CRC32C crc = new CRC32C();
  private final InputStream in;
  private final KvLimits limits;
  private long offset;

  SnapshotReader(InputStream in, KvLimits limits) {
    this.in = new CheckedInputStream(new BufferedInputStream(in, 1 << 16), crc);
    this.limits = limits;
  }

  StoreState read() throws IOException {
    if (u32() != KvSnapshot.MAGIC) {
      throw error("not a raftkv snapshot (bad magic)");
    }
    int version = u8();
    if (version != KvSnapshot.FORMAT_VERSION) {
      throw error(
          "snapshot format " + version + " unknown (reads " + KvSnapshot.FORMAT_VERSION + ")");
    }
    StoreState state = new StoreState(limits.sessionsMax());
    state.appliedIndex = varint();
    state.revision = varint();
    state.compactRevision = varint();
    state.physicalCompactRevision = state.compactRevision;
    long nextLeaseId = varint();
    long leaseCount = varint();
    for (long i = 0; i < leaseCount; i++) {
      long id = varint();
      if (state.leases.exists(id)) {
        throw error("lease " + id + " twice");
      }
      state.leases.grant(id, varint());
    }
    state.leases.restoreNextId(nextLeaseId);
    readSessions(state);
    readKeys(state);
    long computed = crc.getValue();
    long stored = u32() & 0xffffffffL;
    if (stored != computed) {
      throw error(String.format("crc mismatch: stored 0x%08x, computed 0x%08x", stored, computed));
    }
    if (in.read() != -1) {
      throw error("bytes after the checksum");
    }
    return state;
  }

  private void readSessions(StoreState state) throws IOException {
    long count = varint();
    if (count > limits.sessionsMax()) {
      throw error(count + " sessions > sessionsMax " + limits.sessionsMax());
    }
    for (long i = 0; i < count; i++) {
      long clientId = varint();
      long sequence = varint();
      byte[] response = bytes(RESPONSE_BYTES_MAX);
      try {
        Response last = ResponseCodec.decodeOptional(response).orElse(null);
        state.sessions.restore(clientId, new Sessions.Session(sequence, last));
      } catch (MalformedCommandException e) {
        throw error("session " + clientId + " response: " + e.getMessage());
      }
    }
  }

  private void readKeys(StoreState state) throws IOException {
    byte[] previousKey = null;
    while (true) {
      int marker = u8();
      if (marker == KvSnapshot.END_OF_KEYS) {
        return;
      }
      if (marker != KvSnapshot.KEY_FOLLOWS) {
        throw error("key marker " + marker);
      }
      byte[] key = bytes(limits.requestBytesMax());
      if (previousKey != null && Arrays.compareUnsigned(previousKey, key) >= 0) {
        throw error("key " + Bytes.printable(key) + " out of order");
      }
      previousKey = key;
      Version head = readChain(state, key);
      state.history.restore(key, head);
      if (!head.isTombstone()) {
        if (head.lease != 0 && !state.leases.exists(head.lease)) {
          throw error("key " + Bytes.printable(key) + " on unknown lease " + head.lease);
        }
        state.leases.attach(head.lease, key);
      }
    }
  }

  private Version readChain(StoreState state, byte[] key) throws IOException {
    long count = varint();
    if (count < 1) {
      throw error("key " + Bytes.printable(key) + " without versions");
    }
    Version chain = null;
    for (long i = 0; i < count; i++) {
      long modRevision = varint();
      long sub = varint();
      boolean tombstone = bool();
      boolean ordered =
          chain == null
              || chain.modRevision < modRevision
              || (chain.modRevision == modRevision && chain.subRevision < sub);
      if (!ordered || modRevision > state.revision || sub > Integer.MAX_VALUE) {
        throw error(
            "key "
                + Bytes.printable(key)
                + ": version "
                + modRevision
                + "."
                + sub
                + " out of order or beyond revision "
                + state.revision);
      }
      chain =
          tombstone
              ? Version.tombstone(modRevision, (int) sub, chain)
              : new Version(
                  varint(),
                  modRevision,
                  (int) sub,
                  varint(),
                  varint(),
                  bytes(limits.requestBytesMax()),
                  chain);
    }
    return chain;
  }

  private int u8() throws IOException {
    int b = in.read();
    if (b < 0) {
      throw error("unexpected end of snapshot");
    }
    offset++;
    return b;
  }

  private boolean bool() throws IOException {
    int b = u8();
    if (b > 1) {
      throw error("boolean byte " + b);
    }
    return b == 1;
  }

  private int u32() throws IOException {
    return (u8() << 24) | (u8() << 16) | (u8() << 8) | u8();
  }

  private long varint() throws IOException {
    long value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int b = u8();
      value |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return value;
      }
    }
    throw error("varint longer than 10 bytes");
  }

  /** Reads in chunks, so a corrupt length fails at the end of the stream, not with OOM. */
  private byte[] bytes(int max) throws IOException {
    long length = varint();
    if (length < 0 || length > max) {
      throw error("length " + length + " out of range [0, " + max + "]");
    }
    byte[] value = in.readNBytes((int) length);
    if (value.length != length) {
      throw error("unexpected end of snapshot");
    }
    offset += length;
    return value;
  }

  private MalformedSnapshotException error(String what) {
    return new MalformedSnapshotException("snapshot: " + what + " at offset " + offset);
  }
}
