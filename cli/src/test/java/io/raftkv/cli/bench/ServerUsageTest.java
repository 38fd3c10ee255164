package io.raftkv.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ServerUsageTest {
  @Test
  void readsTheCpuTimeAndResidentMemoryOfALiveProcess() {
    List<Long> pids = List.of(ProcessHandle.current().pid());
    List<Long> before = ServerUsage.cpuTicks(pids);
    long spin = 0;
    long deadline = System.nanoTime() + 30_000_000_000L;
    // Burn CPU until /proc shows 5 ticks more (on a loaded machine that can take a while).
    while (ServerUsage.cpuTicks(pids).get(0) - before.get(0) < 5 && System.nanoTime() < deadline) {
      for (int i = 0; i < 1_000_000; i++) {
        spin += Long.numberOfTrailingZeros(spin + i);
      }
    }

    ServerUsage usage = ServerUsage.between(pids, before);

    assertThat(spin).isPositive();
    assertThat(usage.cpuSeconds().get(0)).isGreaterThanOrEqualTo(0.05);
    assertThat(usage.residentBytesMax()).isGreaterThan(10L << 20);
    assertThat(usage.cpuSecondsPerThousandOperations(1000)).isEqualTo(usage.cpuSeconds().get(0));
  }

  @Test
  void aProcessThatIsGoneUsesNothing() {
    List<Long> gone = List.of(Long.MAX_VALUE / 2);
    ServerUsage usage = ServerUsage.between(gone, ServerUsage.cpuTicks(gone));
    assertThat(usage.cpuSeconds()).containsExactly(0.0);
    assertThat(usage.residentBytesMax()).isZero();
  }
}
