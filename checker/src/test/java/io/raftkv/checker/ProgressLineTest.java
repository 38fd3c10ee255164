package io.raftkv.checker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressLineTest {
  @Test
  void countsKeysAndOperationsDecided() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    ProgressLine line =
        new ProgressLine(new PrintStream(err, true, StandardCharsets.UTF_8), "run.edn", 3, 0);
    line.keyDecided(1_000);
    line.keyDecided(2_500);
    assertThat(err.toString(StandardCharsets.UTF_8).lines().toList())
        .hasSize(2)
        .last()
        .asString()
        .startsWith("check run.edn: 2 of 3 keys linearizable, 3,500 operations, ")
        .endsWith(" operations/s");
  }

  @Test
  void shortChecksPrintNothing() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    ProgressLine line =
        new ProgressLine(new PrintStream(err, true, StandardCharsets.UTF_8), "run.edn", 3);
    line.keyDecided(10);
    assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
  }
}
