package io.raftkv.server.etcd;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.SnapshotResponse;
import io.grpc.stub.ServerCallStreamObserver;
import io.raftkv.kv.KvSnapshot;
import io.raftkv.server.NodeContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Maintenance.Snapshot: a consistent image of the state machine (raftkv's snapshot format,
 * docs/kv.md), zero-padded to a multiple of 512 bytes and followed by the SHA-256 of what came
 * before, as etcd streams its database: {@code etcdctl snapshot save} checks exactly that shape
 * (size modulo 512 equals 32). The image is written to a temporary file first, so that {@code
 * remaining_bytes} is exact and the stream follows the client's flow control.
 */
final class SnapshotStream {
  static final int CHUNK_BYTES = 32 * 1024;
  static final int ALIGN_BYTES = 512;

  private final ServerCallStreamObserver<SnapshotResponse> out;
  private final Headers headers;
  private Path file;
  private InputStream in;
  private DigestInputStream digest;
  private long remaining;
  private boolean shaSent;
  private boolean done;

  private SnapshotStream(ServerCallStreamObserver<SnapshotResponse> out, Headers headers) {
    this.out = out;
    this.headers = headers;
  }

  static void start(
      NodeContext node,
      Headers headers,
      ServerCallStreamObserver<SnapshotResponse> out,
      Executor responder) {
    SnapshotStream stream = new SnapshotStream(out, headers);
    out.setOnReadyHandler(stream::pump);
    out.setOnCancelHandler(stream::close);
    CompletableFuture<Void> unused =
        node.replica()
            .stateImage()
            .thenAcceptAsync(stream::prepare, responder)
            .whenComplete(
                (ok, failure) -> {
                  if (failure != null) {
                    stream.fail(failure);
                  } else {
                    stream.pump();
                  }
                });
  }

  private void prepare(KvSnapshot image) {
    try (image) {
      Path written = Files.createTempFile("raftkv-snapshot-", ".db");
      try (OutputStream file = Files.newOutputStream(written)) {
        image.writeTo(file);
        long bytes = Files.size(written);
        long padding = (ALIGN_BYTES - bytes % ALIGN_BYTES) % ALIGN_BYTES;
        file.write(new byte[(int) padding]);
      }
      synchronized (this) {
        this.file = written;
        this.remaining = Files.size(written);
        this.digest = new DigestInputStream(Files.newInputStream(written), sha256());
        this.in = digest;
        if (done) {
          close();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("snapshot image could not be written", e);
    }
  }

  private synchronized void pump() {
    if (in == null || done) {
      return;
    }
    try {
      while (out.isReady() && !done) {
        if (remaining > 0) {
          byte[] chunk = in.readNBytes((int) Math.min(CHUNK_BYTES, remaining));
          remaining -= chunk.length;
          out.onNext(
              SnapshotResponse.newBuilder()
                  .setHeader(headers.at(0))
                  .setRemainingBytes(remaining)
                  .setBlob(ByteString.copyFrom(chunk))
                  .build());
        } else if (!shaSent) {
          shaSent = true;
          out.onNext(
              SnapshotResponse.newBuilder()
                  .setHeader(headers.at(0))
                  .setBlob(ByteString.copyFrom(digest.getMessageDigest().digest()))
                  .build());
        } else {
          close();
          out.onCompleted();
        }
      }
    } catch (IOException e) {
      fail(e);
    }
  }

  private synchronized void fail(Throwable failure) {
    if (!done) {
      close();
      out.onError(EtcdErrors.of(failure));
    }
  }

  private synchronized void close() {
    done = true;
    try {
      if (in != null) {
        in.close();
      }
      if (file != null) {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      // Only a temporary file is left behind; the stream's outcome does not change.
      org.slf4j.LoggerFactory.getLogger(SnapshotStream.class)
          .warn("could not remove snapshot file {}: {}", file, e.toString());
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
