package io.raftkv.cli;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.Compare;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.RequestOp;
import io.etcd.jetcd.api.TxnRequest;
import io.etcd.jetcd.api.TxnResponse;
import io.raftkv.cli.bench.BenchOperation;
import io.raftkv.client.RaftkvClient;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

/**
 * The requests {@code raftkv bench} sends: etcd v3 calls through the client, so raftkv and etcd get
 * the same ones. Client {@code c} uses connection {@code c % connections}.
 */
final class BenchWorkload implements BenchOperation {
  /** What a benchmark measures. */
  enum Kind {
    PUT("put"),
    GET("get"),
    GET_SERIALIZABLE("get-serializable"),
    TXN("txn"),
    MIXED("mixed");

    final String flag;

    Kind(String flag) {
      this.flag = flag;
    }

    static Kind of(String flag) {
      for (Kind kind : values()) {
        if (kind.flag.equals(flag)) {
          return kind;
        }
      }
      throw new IllegalArgumentException(
          "unknown --op '" + flag + "': put, get, get-serializable, txn or mixed");
    }
  }

  /** How many requests {@link #prepare} keeps outstanding while it fills the keys. */
  private static final int PREPARE_CONCURRENCY = 64;

  private final Kind kind;
  private final List<RaftkvClient> connections;
  private final int keyCount;
  private final int clientCount;
  private final ByteString value;

  /** The mod revision each txn client last saw on its own key; 0 when it must read it first. */
  private final long[] casRevisions;

  BenchWorkload(
      Kind kind, List<RaftkvClient> connections, int keyCount, int valueBytes, int clientCount) {
    this.kind = kind;
    this.connections = List.copyOf(connections);
    this.keyCount = keyCount;
    this.clientCount = clientCount;
    byte[] bytes = new byte[valueBytes];
    new SplittableRandom(valueBytes).nextBytes(bytes);
    this.value = ByteString.copyFrom(bytes);
    this.casRevisions = new long[clientCount];
  }

  /** Writes what the reads and the compare-and-sets find: every key once. */
  void prepare() {
    int count = kind == Kind.TXN ? clientCount : kind == Kind.PUT ? 0 : keyCount;
    List<CompletableFuture<?>> outstanding = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ByteString key = kind == Kind.TXN ? casKey(i) : key(i);
      outstanding.add(connection(i).kv().put(put(key)));
      if (outstanding.size() == PREPARE_CONCURRENCY || i == count - 1) {
        CompletableFuture.allOf(outstanding.toArray(CompletableFuture[]::new)).join();
        outstanding.clear();
      }
    }
    Arrays.fill(casRevisions, 0);
  }

  @Override
  public CompletableFuture<?> start(int client, long sequence) {
    ByteString key = key((int) ((sequence * clientCount + client) % keyCount));
    RaftkvClient connection = connection(client);
    return switch (kind) {
      case PUT -> connection.kv().put(put(key));
      case GET -> connection.kv().get(RangeRequest.newBuilder().setKey(key).build());
      case GET_SERIALIZABLE ->
          connection.kv().get(RangeRequest.newBuilder().setKey(key).setSerializable(true).build());
      case TXN -> compareAndSet(client, connection);
      case MIXED ->
          sequence % 5 == 0
              ? connection.kv().put(put(key))
              : connection.kv().get(RangeRequest.newBuilder().setKey(key).build());
    };
  }

  /**
   * One compare-and-set on the client's own key: put only if nobody wrote it since this client last
   * did. A refused compare means a write was lost or applied twice, so it counts as an error.
   */
  private CompletableFuture<?> compareAndSet(int client, RaftkvClient connection) {
    ByteString key = casKey(client);
    CompletableFuture<Long> revision =
        casRevisions[client] > 0
            ? CompletableFuture.completedFuture(casRevisions[client])
            : connection
                .kv()
                .get(RangeRequest.newBuilder().setKey(key).build())
                .thenApply(range -> range.getKvs(0).getModRevision());
    return revision
        .thenCompose(
            expected -> {
              casRevisions[client] = 0; // unknown until this txn answers
              TxnRequest txn =
                  TxnRequest.newBuilder()
                      .addCompare(
                          Compare.newBuilder()
                              .setKey(key)
                              .setTarget(Compare.CompareTarget.MOD)
                              .setResult(Compare.CompareResult.EQUAL)
                              .setModRevision(expected))
                      .addSuccess(RequestOp.newBuilder().setRequestPut(put(key)))
                      .build();
              return connection.kv().txn(txn);
            })
        .thenApply(response -> casAnswered(client, response));
  }

  private TxnResponse casAnswered(int client, TxnResponse response) {
    if (!response.getSucceeded()) {
      throw new IllegalStateException("txn compare failed: the key changed under its only writer");
    }
    casRevisions[client] = response.getHeader().getRevision();
    return response;
  }

  private PutRequest put(ByteString key) {
    return PutRequest.newBuilder().setKey(key).setValue(value).build();
  }

  private RaftkvClient connection(int client) {
    return connections.get(client % connections.size());
  }

  private static ByteString key(int index) {
    return ByteString.copyFromUtf8(String.format(Locale.ROOT, "bench/%08d", index));
  }

  private static ByteString casKey(int client) {
    return ByteString.copyFromUtf8(String.format(Locale.ROOT, "bench/cas/%05d", client));
  }
}
