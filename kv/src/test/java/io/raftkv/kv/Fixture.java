package io.raftkv.kv;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

/** A store plus an index counter, and short names for the requests tests use most. */
final class Fixture {
  final KvStore store;
  private long index;

  Fixture() {
    this(KvLimits.defaults());
  }

  Fixture(KvLimits limits) {
    store = new KvStore(limits);
  }

  static Bytes b(String s) {
    return Bytes.utf8(s);
  }

  Response apply(Request request) {
    return store.apply(++index, CommandCodec.encode(Command.of(request)));
  }

  Response applyInSession(long clientId, long sequence, Request request) {
    return store.apply(++index, CommandCodec.encode(new Command(clientId, sequence, request)));
  }

  long nextIndex() {
    return index + 1;
  }

  PutResponse put(String key, String value) {
    return (PutResponse) ok(apply(PutRequest.of(b(key), b(value))));
  }

  DeleteRangeResponse delete(String key) {
    return (DeleteRangeResponse) ok(apply(DeleteRangeRequest.of(b(key))));
  }

  long grant(long ttl) {
    return ((LeaseGrantResponse) ok(apply(new LeaseGrantRequest(0, ttl)))).id();
  }

  /** The value of {@code key} now, or null. */
  String get(String key) {
    List<KeyValue> kvs = store.range(RangeRequest.of(b(key))).kvs();
    return kvs.isEmpty() ? null : kvs.get(0).value().toStringUtf8();
  }

  KeyValue kv(String key) {
    List<KeyValue> kvs = store.range(RangeRequest.of(b(key))).kvs();
    assertThat(kvs).hasSize(1);
    return kvs.get(0);
  }

  static List<String> keys(RangeResponse r) {
    return r.kvs().stream().map(kv -> kv.key().toStringUtf8()).toList();
  }

  static Response ok(Response r) {
    assertThat(r).as("response").isNotInstanceOf(ErrorResponse.class);
    return r;
  }

  static KvErrorCode error(Response r) {
    assertThat(r).as("response").isInstanceOf(ErrorResponse.class);
    return ((ErrorResponse) r).code();
  }
}
