package io.raftkv.client;

import io.etcd.jetcd.api.HashKVRequest;
import io.etcd.jetcd.api.HashKVResponse;
import io.etcd.jetcd.api.MaintenanceGrpc;
import io.etcd.jetcd.api.MoveLeaderRequest;
import io.etcd.jetcd.api.MoveLeaderResponse;
import io.etcd.jetcd.api.SnapshotRequest;
import io.etcd.jetcd.api.SnapshotResponse;
import io.etcd.jetcd.api.StatusRequest;
import io.etcd.jetcd.api.StatusResponse;
import io.grpc.Status;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * etcd's Maintenance service, member by member: each call names the endpoint it asks, as etcdctl's
 * {@code endpoint status} and {@code endpoint hashkv} do.
 *
 * <pre>{@code
 * for (String endpoint : client.endpoints()) {
 *   StatusResponse s = client.maintenance().status(endpoint).join();
 *   boolean leads = s.getLeader() == s.getHeader().getMemberId();
 *   System.out.println(endpoint + " term " + s.getRaftTerm() + (leads ? " leader" : ""));
 * }
 * }</pre>
 */
public final class Maintenance {
  private static final int SHA256_BYTES = 32;

  private final Calls calls;

  Maintenance(Calls calls) {
    this.calls = calls;
  }

  /** The endpoints the client knows: the ones given and the ones the cluster listed. */
  public List<String> endpoints() {
    return calls.endpoints().all();
  }

  /**
   * The endpoint of the leader, asked of every member now (empty if none names itself leader); the
   * client sends its writes there from then on.
   */
  public CompletableFuture<Optional<String>> findLeader() {
    // A refresh already under way may have asked before the current leader was elected: wait for
    // it, then ask afresh.
    return calls
        .endpoints()
        .refresh()
        .exceptionally(failure -> Optional.empty())
        .thenCompose(earlier -> calls.endpoints().refresh())
        .thenApplyAsync(leader -> leader, calls.callbacks());
  }

  public CompletableFuture<StatusResponse> status(String endpoint) {
    return calls.callAt(
        Endpoints.normalise(endpoint),
        (channel, timeout) ->
            MaintenanceGrpc.newFutureStub(channel)
                .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .status(StatusRequest.getDefaultInstance()));
  }

  /** The hash of {@code endpoint}'s key-value history up to {@code revision} (0: all of it). */
  public CompletableFuture<HashKVResponse> hashKv(String endpoint, long revision) {
    HashKVRequest request = HashKVRequest.newBuilder().setRevision(revision).build();
    return calls.callAt(
        Endpoints.normalise(endpoint),
        (channel, timeout) ->
            MaintenanceGrpc.newFutureStub(channel)
                .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .hashKV(request));
  }

  /**
   * Hands leadership to the member {@code targetMemberId}. Only the leader moves leadership (etcd
   * answers "not leader" elsewhere), so the leader is found first and asked, as etcdctl's
   * move-leader does; the answer comes once the target leads.
   */
  public CompletableFuture<MoveLeaderResponse> moveLeader(long targetMemberId) {
    MoveLeaderRequest request = MoveLeaderRequest.newBuilder().setTargetID(targetMemberId).build();
    return findLeader()
        .thenCompose(
            leader ->
                calls.callAt(
                    leader.orElseThrow(
                        () ->
                            Status.UNAVAILABLE
                                .withDescription(Failures.NO_LEADER)
                                .asRuntimeException()),
                    (channel, timeout) ->
                        MaintenanceGrpc.newFutureStub(channel)
                            .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                            .moveLeader(request)));
  }

  /** Hears a snapshot's bytes as they arrive. */
  public interface SnapshotProgress {
    /**
     * {@code receivedBytes} so far of {@code totalBytes} (the image, its padding and the 32-byte
     * SHA-256 etcd appends).
     */
    void onProgress(long receivedBytes, long totalBytes);
  }

  /**
   * Streams {@code endpoint}'s snapshot (Maintenance.Snapshot) into {@code out}, blob after blob,
   * exactly as sent: etcd's shape is the image padded to 512 bytes followed by its SHA-256. Runs on
   * the client's own thread (the writes may block), within the call timeout; completes with the
   * bytes written. {@code out} is neither checked nor closed here.
   */
  public CompletableFuture<Long> snapshot(
      String endpoint, OutputStream out, SnapshotProgress progress) {
    String at = Endpoints.normalise(endpoint);
    long timeoutMillis = calls.config().callTimeout().toMillis();
    return CompletableFuture.supplyAsync(
        () -> {
          Iterator<SnapshotResponse> stream =
              MaintenanceGrpc.newBlockingStub(calls.endpoints().channel(at))
                  .withDeadlineAfter(timeoutMillis, TimeUnit.MILLISECONDS)
                  .snapshot(SnapshotRequest.getDefaultInstance());
          long received = 0;
          boolean imageDone = false;
          try {
            while (stream.hasNext()) {
              SnapshotResponse chunk = stream.next();
              chunk.getBlob().writeTo(out);
              received += chunk.getBlob().size();
              // The chunk after the one with nothing remaining is the SHA-256.
              long toCome = imageDone ? 0 : chunk.getRemainingBytes() + SHA256_BYTES;
              imageDone |= chunk.getRemainingBytes() == 0;
              progress.onProgress(received, received + toCome);
            }
          } catch (IOException e) {
            throw new UncheckedIOException("writing the snapshot from " + at, e);
          }
          return received;
        },
        calls.callbacks());
  }
}
