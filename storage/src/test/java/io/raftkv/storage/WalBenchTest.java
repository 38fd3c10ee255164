package io.raftkv.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class WalBenchTest {
  @Test
  void batchBytesDefaultsToEightMebibytesAndTakesAFlag() {
    assertThat(WalBench.parse(new String[] {"--dir", "/tmp/x"}))
        .isEqualTo(new WalBench.Options(Path.of("/tmp/x"), 100_000, 256, 8, 64, 8 << 20));
    assertThat(WalBench.parse(new String[] {"--dir", "/tmp/x", "--batch-bytes", "16384"})
        .batchBytesMax()).isEqualTo(16_384);
  }

  @Test
  void aBatchBytesBelowOneIsRefusedNamingTheFlag() {
    assertThatThrownBy(() -> WalBench.parse(new String[] {"--dir", "/tmp/x", "--batch-bytes",
        "0"})).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--batch-bytes must be >= 1, got 0");
  }
}
