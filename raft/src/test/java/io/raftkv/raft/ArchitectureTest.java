package io.raftkv.raft;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.raftkv.raft.testkit.InMemoryCluster;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * ARCHITECTURE.md property 1 and STYLE.md §1: the core is a pure state machine. Its main code must
 * not reach for I/O, the network, threads, the wall clock or unseeded randomness. The test kit
 * ({@code io.raftkv.raft.testkit}, test code published as a test-jar) obeys the same rules, so that
 * an {@code InMemoryCluster} run replays from its seed.
 */
class ArchitectureTest {
  private static final ImportOption MAIN_CODE_AND_TEST_KIT =
      location ->
          new ImportOption.DoNotIncludeTests().includes(location)
              || location.contains("/io/raftkv/raft/testkit/");

  private static final JavaClasses CORE =
      new ClassFileImporter()
          .withImportOption(MAIN_CODE_AND_TEST_KIT)
          .importPackages("io.raftkv.raft");

  @Test
  void theRulesSeeTheTestKit() {
    assertThat(CORE.contain(InMemoryCluster.class)).isTrue();
    assertThat(CORE.contain(ArchitectureTest.class)).isFalse();
  }

  @Test
  void coreDoesNoIo() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("java.io..", "java.nio..", "java.net..")
        .because("the caller persists and sends; the core only says what to persist and send")
        .check(CORE);
  }

  @Test
  void coreStartsNoThreads() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("java.util.concurrent..")
        .orShould()
        .dependOnClassesThat()
        .areAssignableTo(Thread.class)
        .orShould()
        .dependOnClassesThat()
        .areAssignableTo(Runnable.class)
        .because("one event loop owns a node; the simulator must replay it step by step")
        .check(CORE);
  }

  @Test
  void coreReadsNoClock() {
    noClasses()
        .should()
        .callMethod(System.class, "currentTimeMillis")
        .orShould()
        .callMethod(System.class, "nanoTime")
        .orShould()
        .dependOnClassesThat()
        .resideInAnyPackage("java.time..")
        .because("time is ticks, given by the caller")
        .check(CORE);
  }

  @Test
  void coreDrawsOnlySeededRandomness() {
    noClasses()
        .should()
        .callConstructor(Random.class)
        .orShould()
        .dependOnClassesThat()
        .areAssignableTo(ThreadLocalRandom.class)
        .orShould()
        .callConstructor(SplittableRandom.class)
        .orShould()
        .callMethod(Math.class, "random")
        .orShould()
        .dependOnClassesThat()
        .resideInAnyPackage("java.security..")
        .because("randomness comes from the injected Rng, so a seed replays a run")
        .check(CORE);
  }
}
