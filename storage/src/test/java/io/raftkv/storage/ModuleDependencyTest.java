package io.raftkv.storage;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * ARCHITECTURE.md: storage may use the core's types, and nothing else of ours; nor may its test kit
 * ({@code FaultyFileSystem}, test code published as a test-jar).
 */
class ModuleDependencyTest {
  private static final ImportOption MAIN_CODE_AND_TEST_KIT =
      location ->
          new ImportOption.DoNotIncludeTests().includes(location)
              || location.contains("/io/raftkv/storage/FaultyFileSystem");

  private static final JavaClasses STORAGE =
      new ClassFileImporter()
          .withImportOption(MAIN_CODE_AND_TEST_KIT)
          .importPackages("io.raftkv.storage");

  @Test
  void theRuleSeesTheTestKit() {
    assertThat(STORAGE.contain(FaultyFileSystem.class)).isTrue();
    assertThat(STORAGE.contain(ModuleDependencyTest.class)).isFalse();
  }

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
