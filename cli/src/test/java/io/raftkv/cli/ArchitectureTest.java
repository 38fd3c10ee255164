package io.raftkv.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.raftkv.raft.CoreBug;
import io.raftkv.replica.ReplicaBug;
import io.raftkv.replica.SimulatorDoor;
import org.junit.jupiter.api.Test;

/**
 * The bug switches and the simulator's door into a replica stay in the simulator (docs/replica.md,
 * test-only doors). cli depends on every module, so this sees every main class that ships: a server
 * that turned a bug on, or read a replica's core, fails the build here.
 */
class ArchitectureTest {
  private static final JavaClasses SHIPPED =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.raftkv");

  @Test
  void onlyTheSimulatorReachesBugSwitchesAndTheCore() {
    // Not vacuous: the modules that use the door and the switches are on this classpath.
    assertThat(SHIPPED.containPackage("io.raftkv.sim")).isTrue();
    assertThat(SHIPPED.containPackage("io.raftkv.replica")).isTrue();
    noClasses()
        .that()
        .resideOutsideOfPackages("io.raftkv.sim..", "io.raftkv.replica..", "io.raftkv.raft..")
        .should()
        .dependOnClassesThat()
        .belongToAnyOf(SimulatorDoor.class, ReplicaBug.class, CoreBug.class)
        .because("a server must not be able to turn a deliberate bug on")
        .check(SHIPPED);
  }
}
