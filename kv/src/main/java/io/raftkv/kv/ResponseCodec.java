package io.raftkv.kv;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Bytes for a {@link Response}: sessions keep each client's last response, and snapshots must carry
 * them. Our own compact format inside the snapshot's (docs/kv.md): tags and {@link WireEnums} codes
 * are append-only, a changed layout is a new snapshot format version.
 */
final class ResponseCodec {
  private static final int TAG_RANGE = 1;
  private static final int TAG_PUT = 2;
  private static final int TAG_DELETE_RANGE = 3;
  private static final int TAG_TXN = 4;
  private static final int TAG_COMPACT = 5;
  private static final int TAG_LEASE_GRANT = 6;
  private static final int TAG_LEASE_REVOKE = 7;
  private static final int TAG_SESSION_OPEN = 8;
  private static final int TAG_ERROR = 9;
  private static final int DEPTH_MAX = 64;

  private ResponseCodec() {}

  static void write(ByteWriter out, Response response) {
    switch (response) {
      case RangeResponse r -> {
        out.u8(TAG_RANGE);
        out.varint(r.revision());
        writeKvs(out, r.kvs());
        out.bool(r.more());
        out.varint(r.count());
      }
      case PutResponse p -> {
        out.u8(TAG_PUT);
        out.varint(p.revision());
        writeKvs(out, p.prevKv().stream().toList());
      }
      case DeleteRangeResponse d -> {
        out.u8(TAG_DELETE_RANGE);
        out.varint(d.revision());
        out.varint(d.deleted());
        writeKvs(out, d.prevKvs());
      }
      case TxnResponse t -> {
        out.u8(TAG_TXN);
        out.varint(t.revision());
        out.bool(t.succeeded());
        out.varint(t.responses().size());
        t.responses().forEach(r -> write(out, r));
      }
      case CompactResponse c -> header(out, TAG_COMPACT, c.revision());
      case LeaseGrantResponse g -> {
        header(out, TAG_LEASE_GRANT, g.revision());
        out.varint(g.id());
        out.varint(g.ttlSeconds());
      }
      case LeaseRevokeResponse r -> header(out, TAG_LEASE_REVOKE, r.revision());
      case SessionOpenResponse s -> {
        header(out, TAG_SESSION_OPEN, s.revision());
        out.varint(s.clientId());
      }
      case ErrorResponse e -> {
        header(out, TAG_ERROR, e.revision());
        out.u8(WireEnums.code(WireEnums.ERROR_CODES, e.code()));
        out.bytes(Bytes.utf8(e.detail()));
      }
    }
  }

  private static void header(ByteWriter out, int tag, long revision) {
    out.u8(tag);
    out.varint(revision);
  }

  private static void writeKvs(ByteWriter out, List<KeyValue> kvs) {
    out.varint(kvs.size());
    for (KeyValue kv : kvs) {
      out.bytes(kv.key());
      out.varint(kv.createRevision());
      out.varint(kv.modRevision());
      out.varint(kv.version());
      out.bytes(kv.value());
      out.varint(kv.lease());
    }
  }

  static Response read(ByteReader in, int depth) throws MalformedCommandException {
    if (depth >= DEPTH_MAX) {
      throw in.error("response nested deeper than " + DEPTH_MAX);
    }
    int tag = in.u8();
    long revision = in.varint();
    return switch (tag) {
      case TAG_RANGE -> new RangeResponse(revision, readKvs(in), in.bool(), in.varint());
      case TAG_PUT -> new PutResponse(revision, readKvs(in).stream().findFirst());
      case TAG_DELETE_RANGE -> new DeleteRangeResponse(revision, in.varint(), readKvs(in));
      case TAG_TXN -> {
        boolean succeeded = in.bool();
        int count = in.count(in.remaining(), "response count");
        List<Response> responses = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          responses.add(read(in, depth + 1));
        }
        yield new TxnResponse(revision, succeeded, responses);
      }
      case TAG_COMPACT -> new CompactResponse(revision);
      case TAG_LEASE_GRANT -> new LeaseGrantResponse(revision, in.varint(), in.varint());
      case TAG_LEASE_REVOKE -> new LeaseRevokeResponse(revision);
      case TAG_SESSION_OPEN -> new SessionOpenResponse(revision, in.varint());
      case TAG_ERROR ->
          new ErrorResponse(
              revision,
              in.enumValue(WireEnums.ERROR_CODES, "error code"),
              Bytes.wrap(in.bytes()).toStringUtf8());
      default -> throw in.error("response tag " + tag + " unknown");
    };
  }

  private static List<KeyValue> readKvs(ByteReader in) throws MalformedCommandException {
    int count = in.count(in.remaining(), "key-value count");
    List<KeyValue> kvs = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      kvs.add(
          new KeyValue(
              Bytes.wrap(in.bytes()),
              in.varint(),
              in.varint(),
              in.varint(),
              Bytes.wrap(in.bytes()),
              in.varint()));
    }
    return kvs;
  }

  static Optional<Response> decodeOptional(byte[] bytes) throws MalformedCommandException {
    if (bytes.length == 0) {
      return Optional.empty();
    }
    ByteReader in = new ByteReader(bytes);
    Response response = read(in, 0);
    in.expectEnd();
    return Optional.of(response);
  }
}
