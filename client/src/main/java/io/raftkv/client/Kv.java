package io.raftkv.client;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.CompactionRequest;
import io.etcd.jetcd.api.CompactionResponse;
import io.etcd.jetcd.api.DeleteRangeRequest;
import io.etcd.jetcd.api.DeleteRangeResponse;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.PutResponse;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.RangeResponse;
import io.etcd.jetcd.api.TxnRequest;
import io.etcd.jetcd.api.TxnResponse;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * etcd's KV service: reads, writes, transactions, compaction. Requests and responses are etcd's own
 * protobuf messages ({@code io.etcd.jetcd.api}), so everything etcd documents applies.
 *
 * <pre>{@code
 * Kv kv = client.kv();
 * kv.put("greeting", "hello").join();
 * RangeResponse got = kv.get("greeting").join();
 * String value = got.getKvs(0).getValue().toStringUtf8(); // "hello"
 * // Compare-and-swap: set "greeting" to "hi" only if it still reads "hello".
 * TxnResponse swapped =
 *     kv.txn(TxnRequest.newBuilder()
 *             .addCompare(Compare.newBuilder()
 *                 .setKey(ByteString.copyFromUtf8("greeting"))
 *                 .setTarget(Compare.CompareTarget.VALUE)
 *                 .setResult(Compare.CompareResult.EQUAL)
 *                 .setValue(ByteString.copyFromUtf8("hello")))
 *             .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder()
 *                 .setKey(ByteString.copyFromUtf8("greeting"))
 *                 .setValue(ByteString.copyFromUtf8("hi"))))
 *             .build())
 *         .join();
 * }</pre>
 *
 * <p>Writes (put, delete, txn) go to the leader. With exactly-once on and a raftkv cluster, each
 * carries its session and sequence number, and a write whose attempt failed in a way that leaves
 * its outcome open is sent again with the same number: the state machine applies it at most once.
 * Without a session such a write fails with {@link OutcomeUnknownException} instead. Reads are
 * linearizable (sent to the leader) unless {@code serializable} is set (sent to any member).
 */
public final class Kv {
  private final Calls calls;
  private final SessionPool sessions;

  Kv(Calls calls, SessionPool sessions) {
    this.calls = calls;
    this.sessions = sessions;
  }

  /** Whether this client's writes are exactly-once here; false against a plain etcd. */
  public CompletableFuture<Boolean> exactlyOnce() {
    return sessions.probe();
  }

  public CompletableFuture<PutResponse> put(String key, String value) {
    return put(
        PutRequest.newBuilder()
            .setKey(ByteString.copyFromUtf8(key))
            .setValue(ByteString.copyFromUtf8(value))
            .build());
  }

  public CompletableFuture<PutResponse> put(PutRequest request) {
    return write(stub -> stub.put(request));
  }

  /** A linearizable read of one key. */
  public CompletableFuture<RangeResponse> get(String key) {
    return get(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8(key)).build());
  }

  public CompletableFuture<RangeResponse> get(RangeRequest request) {
    Calls.Route route = request.getSerializable() ? Calls.Route.ANY : Calls.Route.LEADER;
    return calls.call(
        route, Calls.Kind.READ, (channel, timeout) -> stub(channel, timeout).range(request));
  }

  public CompletableFuture<DeleteRangeResponse> delete(DeleteRangeRequest request) {
    return write(stub -> stub.deleteRange(request));
  }

  public CompletableFuture<TxnResponse> txn(TxnRequest request) {
    return write(stub -> stub.txn(request));
  }

  /** Compacts the history up to {@code revision}; never in a session (a repeat is harmless). */
  public CompletableFuture<CompactionResponse> compact(long revision) {
    CompactionRequest request = CompactionRequest.newBuilder().setRevision(revision).build();
    return calls.call(
        Calls.Route.LEADER,
        Calls.Kind.PLAIN_WRITE,
        (channel, timeout) -> stub(channel, timeout).compact(request));
  }

  private static KVGrpc.KVFutureStub stub(Channel channel, java.time.Duration timeout) {
    return KVGrpc.newFutureStub(channel)
        .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private <T> CompletableFuture<T> write(Function<KVGrpc.KVFutureStub, ListenableFuture<T>> rpc) {
    return sessions
        .acquire()
        .thenCompose(session -> writeIn(session, rpc, true))
        .thenApplyAsync(value -> value, calls.callbacks());
  }

  /**
   * One write, in {@code session} if present. A session the server forgot (evicted as least
   * recently used) refuses the write unapplied: that session goes, and the write is tried once more
   * in a fresh one.
   */
  private <T> CompletableFuture<T> writeIn(
      Optional<SessionPool.Session> session,
      Function<KVGrpc.KVFutureStub, ListenableFuture<T>> rpc,
      boolean mayRenew) {
    if (session.isEmpty()) {
      return calls.call(
          Calls.Route.LEADER,
          Calls.Kind.PLAIN_WRITE,
          (channel, timeout) -> rpc.apply(stub(channel, timeout)));
    }
    SessionPool.Session mine = session.get();
    Metadata headers = new Metadata();
    headers.put(SessionProtocol.CLIENT_ID, Long.toString(mine.clientId));
    headers.put(SessionProtocol.SEQUENCE, Long.toString(mine.nextSequence()));
    CompletableFuture<T> written =
        calls.call(
            Calls.Route.LEADER,
            Calls.Kind.SESSION_WRITE,
            (channel, timeout) ->
                rpc.apply(
                    stub(
                        ClientInterceptors.intercept(
                            channel, MetadataUtils.newAttachHeadersInterceptor(headers)),
                        timeout)));
    return written
        .thenApply(
            value -> {
              sessions.release(mine);
              return value;
            })
        .exceptionallyCompose(
            failure -> {
              Throwable cause = Failures.unwrap(failure);
              if (Failures.sessionExpired(cause) && mayRenew) {
                return sessions.acquire().thenCompose(fresh -> writeIn(fresh, rpc, false));
              }
              if (!Failures.sessionExpired(cause)) {
                // A later write's higher sequence makes a stray attempt of this one stale (refused,
                // not applied): the session stays usable even with such an attempt on its way.
                sessions.release(mine);
              }
              return CompletableFuture.failedFuture(cause);
            });
  }
}
