package io.raftkv.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class WalBenchTest {
  @Test
  void defaultsAreEightWritersOfSixteenInFlightAndFlagsOverrideThem() {
    assertThat(WalBench.parse(new String[] {"--dir", "/tmp/x"}))
        .isEqualTo(new WalBench.Options(Path.of("/tmp/x"), 100_000, 256, 8, 16));
    assertThat(WalBench.parse(new String[] {"--dir", "/tmp/x", "--inflight", "64"}).inflight())
        .isEqualTo(64);
  }

  @Test
  void aCountBelowOneIsRefusedNamingTheFlag() {
    assertThatThrownBy(() -> WalBench.parse(new String[] {"--dir", "/tmp/x", "--writers", "0"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--writers must be >= 1, got 0");
  }

  @Test
  void anUnknownFlagIsRefused() {
    assertThatThrownBy(() -> WalBench.parse(new String[] {"--dir", "/tmp/x", "--batch-bytes", "1"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown flag --batch-bytes");
  }
}
