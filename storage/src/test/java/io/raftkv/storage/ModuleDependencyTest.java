package io.raftkv.storage;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** ARCHITECTURE.md: storage may use the core's types, and nothing else of ours. */
class ModuleDependencyTest {
  private static final JavaClasses STORAGE =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.raftkv.storage");

  @Test
  void storageUsesOnlyTheCoreTypes() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.raftkv.kv..", "io.raftkv.checker..", "io.raftkv.cli..", "io.raftkv.raft.testkit..")
        .because("storage persists what the core says; it knows no state machine")
        .check(STORAGE);
  }
}
