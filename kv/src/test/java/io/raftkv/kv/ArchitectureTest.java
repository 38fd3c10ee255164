package io.raftkv.kv;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** STYLE.md §1–2: kv imports nothing of ours and stays deterministic. */
class ArchitectureTest {
  private static final JavaClasses KV =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.raftkv.kv");

  @Test
  void kvDependsOnNothingOfOurs() {
    noClasses()
        .should()
        .dependOnClassesThat(
            com.tngtech.archunit.base.DescribedPredicate.describe(
                "of another raftkv module",
                c ->
                    c.getPackageName().startsWith("io.raftkv.")
                        && !c.getPackageName().equals("io.raftkv.kv")
                        // the classes generated from kv's own command.proto
                        && !c.getPackageName().equals("io.raftkv.kv.proto")))
        .check(KV);
  }

  @Test
  void kvReadsNoClockAndNoRandomnessAndStartsNoThreads() {
    noClasses()
        .should()
        .callMethod(System.class, "currentTimeMillis")
        .orShould()
        .callMethod(System.class, "nanoTime")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("java.util.Random")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("java.time.Clock")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("java.time.Instant")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("java.lang.Thread")
        .orShould()
        .dependOnClassesThat()
        .haveSimpleNameEndingWith("ExecutorService")
        .check(KV);
  }
}
