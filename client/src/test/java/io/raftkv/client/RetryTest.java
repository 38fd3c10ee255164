package io.raftkv.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Empty;
import com.google.protobuf.UInt64Value;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.PutResponse;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.RangeResponse;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client's retries against a scripted server on a loopback port: each call answers the next
 * failure queued, then succeeds. A plain write is never repeated after a failure that may have
 * applied; a session write is, with the same sequence; definite answers are never retried.
 */
class RetryTest {
  private static final Context.Key<String> SEQUENCE = Context.key("sequence");

  private final Deque<Status> failures = new ArrayDeque<>();
  private final List<String> sequencesSeen = Collections.synchronizedList(new ArrayList<>());
  private int puts;
  private Server server;
  private RaftkvClient client;

  private RaftkvClient start(boolean sessions, ExactlyOnce mode) throws Exception {
    KVGrpc.KVImplBase kv =
        new KVGrpc.KVImplBase() {
          @Override
          public void put(PutRequest request, StreamObserver<PutResponse> out) {
            synchronized (RetryTest.this) {
              puts++;
              sequencesSeen.add(SEQUENCE.get());
              Status failure = failures.poll();
              if (failure != null) {
                out.onError(failure.asRuntimeException());
                return;
              }
            }
            out.onNext(PutResponse.getDefaultInstance());
            out.onCompleted();
          }

          @Override
          public void range(RangeRequest request, StreamObserver<RangeResponse> out) {
            Status failure;
            synchronized (RetryTest.this) {
              failure = failures.poll();
            }
            if (failure != null) {
              out.onError(failure.asRuntimeException());
              return;
            }
            out.onNext(RangeResponse.newBuilder().setCount(1).build());
            out.onCompleted();
          }
        };
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(
                new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0))
            .addService(ServerInterceptors.intercept(kv, new SequenceInterceptor()));
    if (sessions) {
      builder.addService(
          ServerServiceDefinition.builder(SessionProtocol.SERVICE_NAME)
              .addMethod(
                  SessionProtocol.OPEN,
                  ServerCalls.asyncUnaryCall(
                      (Empty request, StreamObserver<UInt64Value> out) -> {
                        out.onNext(UInt64Value.of(7));
                        out.onCompleted();
                      }))
              .build());
    }
    server = builder.build().start();
    client =
        RaftkvClient.builder()
            .endpoints("127.0.0.1:" + server.getPort())
            .callTimeout(Duration.ofSeconds(5))
            .backoff(Duration.ofMillis(1), Duration.ofMillis(20))
            .exactlyOnce(mode)
            .jitterSeed(14)
            .build();
    return client;
  }

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.shutdownNow();
    }
  }

  @Test
  void aPlainWriteIsRetriedOnlyAfterFailuresThatCertainlyDidNotApply() throws Exception {
    start(false, ExactlyOnce.PREFERRED);
    failures.add(Status.UNAVAILABLE.withDescription(Failures.NO_LEADER));
    failures.add(Status.RESOURCE_EXHAUSTED.withDescription(Failures.TOO_MANY_REQUESTS));
    client.kv().put("k", "v").get();
    assertThat(puts).isEqualTo(3);

    failures.add(Status.UNAVAILABLE.withDescription("connection reset"));
    assertThatThrownBy(() -> client.kv().put("k", "v").get())
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(OutcomeUnknownException.class);
    assertThat(puts).as("not sent again").isEqualTo(4);
    assertThat(client.kv().exactlyOnce().get()).isFalse();
  }

  @Test
  void aSessionWriteIsRetriedWithTheSameSequence() throws Exception {
    start(true, ExactlyOnce.REQUIRED);
    failures.add(Status.UNAVAILABLE.withDescription("connection reset"));
    failures.add(Status.DEADLINE_EXCEEDED);
    client.kv().put("k", "v").get();
    client.kv().put("k", "v").get();
    assertThat(sequencesSeen).containsExactly("7/1", "7/1", "7/1", "7/2");
    assertThat(client.stats().retriesAfterUnknownOutcome()).isEqualTo(2);
  }

  @Test
  void definiteAnswersAreNotRetriedAndReadsRetryAnyPassingFailure() throws Exception {
    start(false, ExactlyOnce.OFF);
    failures.add(Status.INVALID_ARGUMENT.withDescription("etcdserver: key is not provided"));
    assertThatThrownBy(() -> client.kv().put("", "v").get())
        .cause()
        .hasMessageContaining("key is not provided");
    assertThat(puts).isEqualTo(1);

    failures.add(Status.UNAVAILABLE.withDescription("connection reset"));
    failures.add(Status.DEADLINE_EXCEEDED);
    assertThat(client.kv().get("k").get().getCount()).isEqualTo(1);
  }

  @Test
  void aCallEndsWithinItsTimeoutWithTheLastFailure() throws Exception {
    start(false, ExactlyOnce.OFF);
    for (int i = 0; i < 100_000; i++) {
      failures.add(Status.UNAVAILABLE.withDescription(Failures.NO_LEADER));
    }
    long started = System.nanoTime();
    assertThatThrownBy(() -> client.kv().put("k", "v").get())
        .cause()
        .hasMessageContaining(Failures.NO_LEADER);
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    assertThat(took).isBetween(Duration.ofSeconds(4), Duration.ofSeconds(10));
  }

  @Test
  void requiredExactlyOnceRefusesToWriteWithoutSessions() throws Exception {
    start(false, ExactlyOnce.REQUIRED);
    assertThatThrownBy(() -> client.kv().put("k", "v").get())
        .cause()
        .isInstanceOf(ExactlyOnceUnavailableException.class);
    assertThat(puts).isZero();
  }

  /** Records each put's session as "client/sequence" (or null without one). */
  private static final class SequenceInterceptor implements ServerInterceptor {
    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
        ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
      String client = headers.get(SessionProtocol.CLIENT_ID);
      String seen = client == null ? null : client + "/" + headers.get(SessionProtocol.SEQUENCE);
      return Contexts.interceptCall(
          Context.current().withValue(SEQUENCE, seen), call, headers, next);
    }
  }
}
