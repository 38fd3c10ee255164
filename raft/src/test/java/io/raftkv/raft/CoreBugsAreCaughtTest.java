package io.raftkv.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The harness has teeth: these deliberate {@link CoreBug}s make the randomized cluster runs fail (a
 * Figure 3 invariant, a stale read, a fail-stop invariant or lost liveness) within 200 seeds. Seeds
 * alternate between the high-churn profile and the lockstep lease profile, each with its own swarm
 * fault mix. The bugs whose windows random runs rarely open are driven into them on purpose in
 * {@link CoreBugScenariosTest}.
 */
class CoreBugsAreCaughtTest {
  private static final int SEEDS_MAX = 200;

  @TestFactory
  java.util.stream.Stream<DynamicTest> everyCoreBugIsCaughtWithin200Seeds() {
    return java.util.stream.Stream.of(
            CoreBug.COMMIT_EARLIER_TERM_BY_COUNTING,
            CoreBug.READ_WITHOUT_CONFIRMATION,
            CoreBug.APPLY_BEFORE_COMMIT)
        .map(
            bug ->
                DynamicTest.dynamicTest(
                    bug.name(),
                    () -> {
                      int seedsNeeded = seedsUntilCaught(bug);
                      System.out.printf("bug %s caught after %d seed(s)%n", bug, seedsNeeded);
                      assertThat(seedsNeeded)
                          .as("%s (%s) caught", bug, bug.breaks())
                          .isLessThanOrEqualTo(SEEDS_MAX);
                    }));
  }

  static int seedsUntilCaught(CoreBug bug) {
    UnaryOperator<RaftConfig.Builder> churn =
        b -> b.electionTimeoutTicks(3).appendEntriesMax(1).inflightAppendsMax(2);
    UnaryOperator<RaftConfig.Builder> lease =
        b -> b.leaseReads(true).electionTimeoutTicks(5).clockDriftTicks(1);
    for (int seed = 1; seed <= SEEDS_MAX; seed++) {
      boolean lockstep = seed % 2 == 0;
      try {
        RandomizedClusterProperties.scenario(
            3 + 2 * (seed % 3 == 0 ? 1 : 0),
            seed,
            1500,
            lockstep,
            lockstep ? lease : churn,
            Set.of(bug));
      } catch (AssertionError | RuntimeException | InvariantViolation caught) {
        return seed;
      }
    }
    return Integer.MAX_VALUE;
  }
}
