package io.raftkv.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class EndpointsTest {
  @Test
  void endpointsAreKeptAsHostAndPortWhateverTheirSpelling() {
    assertThat(Endpoints.normalise("http://127.0.0.1:2379")).isEqualTo("127.0.0.1:2379");
    assertThat(Endpoints.normalise(" localhost:2379 ")).isEqualTo("localhost:2379");
    try (Endpoints endpoints =
        new Endpoints(List.of("http://a:1", "a:1", "b:2"), Duration.ofSeconds(1))) {
      assertThat(endpoints.all()).containsExactly("a:1", "b:2");
      assertThat(List.of(endpoints.roundRobin(), endpoints.roundRobin(), endpoints.roundRobin()))
          .containsExactly("a:1", "b:2", "a:1");
      assertThat(endpoints.leader()).isEmpty();
    }
  }

  @Test
  void badEndpointsAreRefusedWithTheReason() {
    assertThatThrownBy(() -> Endpoints.normalise("https://a:1")).hasMessageContaining("TLS");
    assertThatThrownBy(() -> Endpoints.normalise("a")).hasMessageContaining("expected host:port");
  }
}
