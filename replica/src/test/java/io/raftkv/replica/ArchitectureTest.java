package io.raftkv.replica;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaCall;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Timer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import org.junit.jupiter.api.Test;

/**
 * ARCHITECTURE.md, threading model: the replica starts no thread and reads no clock. Every handler
 * runs on the {@link EventLoop} it is given, and time is that loop's ({@link EventLoop#nanoTime},
 * {@link EventLoop#schedule}), or the simulator could not replay a seed. Each rule also proves it
 * has teeth on a class that breaks it.
 */
class ArchitectureTest {
  private static final JavaClasses REPLICA =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.raftkv.replica");

  private static final DescribedPredicate<JavaCall<?>> ASYNC_COMPLETION =
      DescribedPredicate.describe(
          "a CompletableFuture method that runs on another thread (…Async)",
          call ->
              call.getTargetOwner().isAssignableTo(CompletableFuture.class)
                  && call.getName().endsWith("Async"));

  private static final DescribedPredicate<JavaCall<?>> CLOCK_READ =
      DescribedPredicate.describe(
          "a read of a clock (System.currentTimeMillis/nanoTime, java.time's now())",
          call ->
              (call.getTargetOwner().isEquivalentTo(System.class)
                      && (call.getName().equals("currentTimeMillis")
                          || call.getName().equals("nanoTime")))
                  || (call.getTargetOwner().getPackageName().equals("java.time")
                      && call.getName().equals("now")));

  static final ArchRule STARTS_NO_THREADS =
      noClasses()
          .should()
          .dependOnClassesThat()
          .areAssignableTo(Thread.class)
          .orShould()
          .dependOnClassesThat()
          .areAssignableTo(Executor.class)
          .orShould()
          .dependOnClassesThat()
          .areAssignableTo(Executors.class)
          .orShould()
          .dependOnClassesThat()
          .areAssignableTo(ThreadFactory.class)
          .orShould()
          .dependOnClassesThat()
          .areAssignableTo(Timer.class)
          .orShould()
          .dependOnClassesThat()
          .resideInAPackage("java.util.concurrent.locks")
          .orShould()
          .callMethodWhere(ASYNC_COMPLETION)
          .because("one event loop owns a replica; work off it goes through EventLoop.offload");

  static final ArchRule READS_TIME_ONLY_FROM_THE_LOOP =
      noClasses()
          .should()
          .callMethodWhere(CLOCK_READ)
          .orShould()
          .dependOnClassesThat(
              DescribedPredicate.describe(
                  "java.time other than Duration (Clock, Instant, InstantSource, ...)",
                  c -> c.getPackageName().equals("java.time") && !c.isEquivalentTo(Duration.class)))
          .because("time is EventLoop.nanoTime: the simulator skews, drifts and pauses it");

  /** Only {@link SimulatorDoor} reaches the core; nothing in the replica calls the door. */
  static final ArchRule CORE_ONLY_THROUGH_THE_DOOR =
      noClasses()
          .that()
          .doNotBelongToAnyOf(Replica.class, SimulatorDoor.class)
          .should()
          .accessField(Replica.class, "node")
          .orShould()
          .dependOnClassesThat()
          .belongToAnyOf(SimulatorDoor.class)
          .because("the core and the bug switches are the simulator's, never a server's");

  @Test
  void replicaStartsNoThreads() {
    STARTS_NO_THREADS.check(REPLICA);
  }

  @Test
  void replicaReadsTimeOnlyFromItsEventLoop() {
    READS_TIME_ONLY_FROM_THE_LOOP.check(REPLICA);
  }

  @Test
  void onlyTheSimulatorDoorReachesTheCore() {
    CORE_ONLY_THROUGH_THE_DOOR.check(REPLICA);
  }

  @Test
  void eachRuleCatchesAClassThatBreaksIt() {
    JavaClasses offenders =
        new ClassFileImporter()
            .importClasses(
                StartsAThread.class,
                CompletesAsync.class,
                ReadsTheWallClock.class,
                ReadsAnInstant.class,
                HoldsAClock.class,
                ReadsTheCore.class);
    assertThatThrownBy(() -> STARTS_NO_THREADS.check(offenders))
        .hasMessageContaining(StartsAThread.class.getSimpleName())
        .hasMessageContaining(CompletesAsync.class.getSimpleName());
    assertThatThrownBy(() -> READS_TIME_ONLY_FROM_THE_LOOP.check(offenders))
        .hasMessageContaining(ReadsTheWallClock.class.getSimpleName())
        .hasMessageContaining(ReadsAnInstant.class.getSimpleName())
        .hasMessageContaining(HoldsAClock.class.getSimpleName());
    assertThatThrownBy(() -> CORE_ONLY_THROUGH_THE_DOOR.check(offenders))
        .hasMessageContaining(ReadsTheCore.class.getSimpleName());
  }

  static final class StartsAThread {
    void run() {
      new Thread(() -> {}).start();
    }
  }

  static final class CompletesAsync {
    CompletableFuture<Void> run() {
      return CompletableFuture.runAsync(() -> {});
    }
  }

  static final class ReadsTheWallClock {
    long now() {
      return System.nanoTime();
    }
  }

  static final class ReadsAnInstant {
    Instant now() {
      return Instant.now();
    }
  }

  static final class HoldsAClock {
    Instant now(Clock clock) {
      return clock.instant();
    }
  }

  static final class ReadsTheCore {
    Object core(Replica replica) {
      return replica.node;
    }
  }
}
