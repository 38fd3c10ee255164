package io.raftkv.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** etcd's auto-compaction rules, without a cluster. */
class CompactionPlanTest {
  private static final long MINUTE = Duration.ofMinutes(1).toNanos();

  @Test
  void revisionModeKeepsTheRetainedRevisions() {
    CompactionPlan plan =
        new CompactionPlan(
            new ServerConfig.AutoCompaction(
                ServerConfig.AutoCompaction.Mode.REVISION, Duration.ZERO, 100));

    assertThat(plan.period()).isEqualTo(Duration.ofMinutes(5));
    assertThat(plan.next(0, 50)).isZero();
    assertThat(plan.next(5 * MINUTE, 1_000)).isEqualTo(900);
    assertThat(plan.next(10 * MINUTE, 1_000)).as("nothing new").isZero();
    assertThat(plan.next(15 * MINUTE, 1_500)).isEqualTo(1_400);
  }

  @Test
  void periodicModeCompactsToWhatWasCurrentOneRetentionAgo() {
    CompactionPlan plan =
        new CompactionPlan(
            new ServerConfig.AutoCompaction(
                ServerConfig.AutoCompaction.Mode.PERIODIC, Duration.ofMinutes(10), 0));

    assertThat(plan.period()).isEqualTo(Duration.ofMinutes(1));
    for (int minute = 0; minute < 10; minute++) {
      assertThat(plan.next(minute * MINUTE, 100 + minute)).as("minute %d", minute).isZero();
    }
    assertThat(plan.next(10 * MINUTE, 200)).as("the sample of minute 0").isEqualTo(100);
    assertThat(plan.next(11 * MINUTE, 210)).isEqualTo(101);
  }
}
