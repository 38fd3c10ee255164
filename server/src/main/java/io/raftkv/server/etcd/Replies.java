package io.raftkv.server.etcd;

import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/** Completes a unary gRPC call from a future, mapping failures through {@link EtcdErrors}. */
final class Replies {
  private Replies() {}

  static <T> void reply(CompletableFuture<T> future, StreamObserver<T> out) {
    CompletableFuture<T> unused =
        future.whenComplete(
            (value, failure) -> {
              if (failure != null) {
                out.onError(EtcdErrors.of(failure));
              } else {
                out.onNext(value);
                out.onCompleted();
              }
            });
  }

  /** Runs {@code call}; a check that throws at once is answered like a failed future. */
  static <T> void serve(Supplier<CompletableFuture<T>> call, StreamObserver<T> out) {
    CompletableFuture<T> future;
    try {
      future = call.get();
    } catch (RuntimeException e) {
      out.onError(EtcdErrors.of(e));
      return;
    }
    reply(future, out);
  }
}
