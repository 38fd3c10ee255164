package io.raftkv.checker;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** ARCHITECTURE.md: the checker depends on nothing of ours, so it can judge any of it. */
class ArchitectureTest {
  private static final JavaClasses CHECKER =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.raftkv.checker");

  @Test
  void checkerImportsNoOtherModuleOfOurs() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.raftkv.raft..",
            "io.raftkv.storage..",
            "io.raftkv.kv..",
            "io.raftkv.replica..",
            "io.raftkv.sim..",
            "io.raftkv.server..",
            "io.raftkv.chaos..",
            "io.raftkv.cli..")
        .because("the judge must not share code with what it judges")
        .check(CHECKER);
  }
}
