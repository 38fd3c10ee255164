package io.raftkv.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import java.net.ConnectException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * Which failures a call may retry: etcd's retryable errors only, the ambiguous ones in sessions.
 */
class FailuresTest {
  private static Failures.Verdict verdict(Status status) {
    return Failures.verdict(new CompletionException(status.asRuntimeException()));
  }

  @Test
  void etcdsPassingRefusalsAreRetriedAnywhere() {
    assertThat(verdict(Status.UNAVAILABLE.withDescription(Failures.NO_LEADER)))
        .isEqualTo(Failures.Verdict.RETRY_SAFE);
    assertThat(verdict(Status.UNAVAILABLE.withDescription(Failures.LEADER_CHANGED)))
        .isEqualTo(Failures.Verdict.RETRY_SAFE);
    assertThat(verdict(Status.RESOURCE_EXHAUSTED.withDescription(Failures.TOO_MANY_REQUESTS)))
        .isEqualTo(Failures.Verdict.RETRY_SAFE);
    assertThat(verdict(Status.UNAVAILABLE.withCause(new ConnectException("refused"))))
        .as("a connection never made sent nothing")
        .isEqualTo(Failures.Verdict.RETRY_SAFE);
  }

  @Test
  void failuresThatMayHaveAppliedAreRetriedOnlyWhenIdempotent() {
    assertThat(verdict(Status.UNAVAILABLE.withDescription("io exception")))
        .isEqualTo(Failures.Verdict.RETRY_IF_IDEMPOTENT);
    assertThat(verdict(Status.UNAVAILABLE.withDescription("etcdserver: request timed out")))
        .isEqualTo(Failures.Verdict.RETRY_IF_IDEMPOTENT);
    assertThat(verdict(Status.DEADLINE_EXCEEDED)).isEqualTo(Failures.Verdict.RETRY_IF_IDEMPOTENT);
    assertThat(verdict(Status.UNKNOWN.withDescription("channel closed")))
        .isEqualTo(Failures.Verdict.RETRY_IF_IDEMPOTENT);
    assertThat(verdict(Status.UNKNOWN.withDescription("a server's own failure")))
        .isEqualTo(Failures.Verdict.FINAL);
  }

  @Test
  void definiteAnswersAreFinal() {
    assertThat(verdict(Status.INVALID_ARGUMENT.withDescription("etcdserver: key is not provided")))
        .isEqualTo(Failures.Verdict.FINAL);
    assertThat(verdict(Status.OUT_OF_RANGE.withDescription(Failures.COMPACTED)))
        .isEqualTo(Failures.Verdict.FINAL);
    assertThat(verdict(Status.NOT_FOUND.withDescription(Failures.LEASE_NOT_FOUND)))
        .isEqualTo(Failures.Verdict.FINAL);
    assertThat(
            verdict(
                Status.RESOURCE_EXHAUSTED.withDescription(
                    "etcdserver: mvcc: database space exceeded")))
        .isEqualTo(Failures.Verdict.FINAL);
    assertThat(Failures.verdict(new IllegalStateException("a bug")))
        .isEqualTo(Failures.Verdict.FINAL);
  }

  @Test
  void aDroppedSessionIsRecognised() {
    assertThat(
            Failures.sessionExpired(
                Status.FAILED_PRECONDITION
                    .withDescription(Failures.SESSION_EXPIRED + " (client 7)")
                    .asRuntimeException()))
        .isTrue();
    assertThat(Failures.sessionExpired(Status.FAILED_PRECONDITION.asRuntimeException())).isFalse();
  }

  @Test
  void streamsEndOnlyOnARefusalOfTheRequest() {
    assertThat(Failures.endsStream(Status.UNAVAILABLE.asRuntimeException())).isFalse();
    assertThat(Failures.endsStream(Status.CANCELLED.asRuntimeException())).isFalse();
    assertThat(Failures.endsStream(Status.INTERNAL.asRuntimeException())).isFalse();
    assertThat(Failures.endsStream(Status.INVALID_ARGUMENT.asRuntimeException())).isTrue();
  }
}
