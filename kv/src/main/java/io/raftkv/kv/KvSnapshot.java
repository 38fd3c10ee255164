package io.raftkv.kv;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;

/**
 * A point-in-time image of the store, taken on the apply thread in O(leases + sessions) and written
 * from any thread while applies go on: data comes from the immutable version chains, filtered to
 * this snapshot's revision. Physical compaction waits until it is closed, so the versions it needs
 * stay reachable. Close it (try-with-resources) when written.
 *
 * <p>Layout (docs/kv.md, "Snapshot format"): magic, format version, counters, leases, sessions,
 * keys with their history since compaction, CRC32C of everything before it.
 */
public final class KvSnapshot implements AutoCloseable {
  static final int MAGIC = 0x524b5653; // "RKVS"
  static final int FORMAT_VERSION = 1;
  static final int KEY_FOLLOWS = 1;
  static final int END_OF_KEYS = 0;

  private final long appliedIndex;
  private final long revision;
  private final long compactRevision;
  private final long nextLeaseId;
  private final NavigableMap<Long, Long> leaseTtls;
  private final List<Map.Entry<Long, Sessions.Session>> sessions;
  private final History history;
  private final Collection<Chain> chains;
  private final AtomicInteger pins;
  private volatile boolean closed;

  KvSnapshot(StoreState state, AtomicInteger pins) {
    this.appliedIndex = state.appliedIndex;
    this.revision = state.revision;
    this.compactRevision = state.compactRevision;
    this.nextLeaseId = state.leases.nextId();
    this.leaseTtls = state.leases.ttls();
    this.sessions = state.sessions.inOrder();
    this.history = state.history;
    this.chains = state.history.all();
    this.pins = pins;
    pins.incrementAndGet();
  }

  public long appliedIndex() {
    return appliedIndex;
  }

  public long revision() {
    return revision;
  }

  public long compactRevision() {
    return compactRevision;
  }

  /**
   * etcd's HashKV: a CRC32C over the key-value history from the compact revision through {@code
   * revision} (every version of every key, tombstones included, keys ascending, versions oldest
   * first), so members that applied the same log agree whatever else they did since (lease grants,
   * later writes). Callable from any thread, like {@link #writeTo}.
   *
   * @param revision at most this snapshot's revision, and not below its compact revision
   */
  public int hashKv(long revision) {
    if (closed) {
      throw new IllegalStateException("snapshot at index " + appliedIndex + " already closed");
    }
    if (revision > this.revision || revision < compactRevision) {
      throw new IllegalArgumentException(
          "hash at revision "
              + revision
              + " outside ["
              + compactRevision
              + ", "
              + this.revision
              + "]");
    }
    CRC32C crc = new CRC32C();
    ByteWriter buffer = new ByteWriter(1 << 12);
    buffer.varint(compactRevision);
    List<Version> versions = new ArrayList<>();
    for (Chain c : chains) {
      if (!keptVersions(c, revision, versions)) {
        continue;
      }
      buffer.bytes(c.key);
      buffer.varint(versions.size());
      for (Version v : versions) {
        writeVersion(buffer, v);
      }
      crc.update(buffer.buffer(), 0, buffer.length());
      buffer.reset();
    }
    crc.update(buffer.buffer(), 0, buffer.length());
    return (int) crc.getValue();
  }

  /**
   * Fills {@code versions}, oldest first, with what compaction kept of {@code chain} as of {@code
   * atRevision}; false when nothing is left of it (the image and the hash skip such a key).
   */
  private boolean keptVersions(Chain chain, long atRevision, List<Version> versions) {
    versions.clear();
    Version head = history.head(chain).at(atRevision);
    for (Version v = head == null ? null : head.compactedAt(compactRevision);
        v != null;
        v = v.previous) {
      versions.add(v);
    }
    Collections.reverse(versions);
    return !versions.isEmpty();
  }

  /** Writes the image; the caller owns {@code out} (and its fsync). */
  public void writeTo(OutputStream out) throws IOException {
    if (closed) {
      throw new IllegalStateException("snapshot at index " + appliedIndex + " already closed");
    }
    CRC32C crc = new CRC32C();
    OutputStream sink = new CheckedOutputStream(new BufferedOutputStream(out, 1 << 16), crc);
    ByteWriter buffer = new ByteWriter(1 << 12);
    writeHeader(buffer);
    flush(buffer, sink);
    List<Version> versions = new ArrayList<>();
    for (Chain c : chains) {
      if (!keptVersions(c, revision, versions)) {
        continue;
      }
      buffer.u8(KEY_FOLLOWS);
      buffer.bytes(c.key);
      buffer.varint(versions.size());
      for (Version v : versions) {
        writeVersion(buffer, v);
      }
      flush(buffer, sink);
    }
    buffer.u8(END_OF_KEYS);
    flush(buffer, sink);
    sink.flush();
    buffer.u32((int) crc.getValue());
    out.write(buffer.buffer(), 0, buffer.length());
    out.flush();
  }

  private void writeHeader(ByteWriter buffer) {
    buffer.u32(MAGIC);
    buffer.u8(FORMAT_VERSION);
    buffer.varint(appliedIndex);
    buffer.varint(revision);
    buffer.varint(compactRevision);
    buffer.varint(nextLeaseId);
    buffer.varint(leaseTtls.size());
    for (Map.Entry<Long, Long> lease : leaseTtls.entrySet()) {
      buffer.varint(lease.getKey());
      buffer.varint(lease.getValue());
    }
    buffer.varint(sessions.size());
    ByteWriter response = new ByteWriter(64);
    for (Map.Entry<Long, Sessions.Session> s : sessions) {
      buffer.varint(s.getKey());
      buffer.varint(s.getValue().lastSequence());
      response.reset();
      if (s.getValue().lastResponse() != null) {
        ResponseCodec.write(response, s.getValue().lastResponse());
      }
      buffer.varint(response.length());
      buffer.raw(response.buffer(), 0, response.length());
    }
  }

  private static void writeVersion(ByteWriter buffer, Version v) {
    buffer.varint(v.modRevision);
    buffer.varint(v.subRevision);
    buffer.bool(v.isTombstone());
    if (!v.isTombstone()) {
      buffer.varint(v.createRevision);
      buffer.varint(v.version);
      buffer.varint(v.lease);
      buffer.bytes(v.value);
    }
  }

  private static void flush(ByteWriter buffer, OutputStream sink) throws IOException {
    sink.write(buffer.buffer(), 0, buffer.length());
    buffer.reset();
  }

  /** Lets compaction drop the history this snapshot was holding on to. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      pins.decrementAndGet();
    }
  }
}
