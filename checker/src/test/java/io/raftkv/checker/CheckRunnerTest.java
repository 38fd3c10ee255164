package io.raftkv.checker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The logic behind {@code raftkv check}: lines, JSON, reports and exit codes. */
class CheckRunnerTest {
  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(List<Path> files, String model, boolean json, Budget budget) {
    return CheckRunner.check(
        files,
        new CheckRunner.Options(model, null, json, dir.resolve("reports"), budget),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private Path file(String name, String... lines) throws Exception {
    return Files.write(dir.resolve(name), List.of(lines));
  }

  private static final String[] STALE_READ = {
    "{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"key\":\"a\",\"value\":1}",
    "{\"process\":0,\"type\":\"ok\",\"f\":\"write\",\"key\":\"a\",\"value\":1}",
    "{\"process\":1,\"type\":\"invoke\",\"f\":\"read\",\"key\":\"a\"}",
    "{\"process\":1,\"type\":\"ok\",\"f\":\"read\",\"key\":\"a\",\"value\":null}"
  };

  @Test
  void linearizableFileExitsZeroWithTheBareLine() throws Exception {
    Path good = file("good.jsonl", STALE_READ[0], STALE_READ[1]);
    assertThat(run(List.of(good), "register", false, Budget.DEFAULT))
        .isEqualTo(CheckRunner.EXIT_LINEARIZABLE);
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("linearizable=true\n");
  }

  @Test
  void staleReadExitsOneNamesKeyAndWritesAReport() throws Exception {
    Path bad = file("bad.jsonl", STALE_READ);
    Path good = file("good.jsonl", STALE_READ[0], STALE_READ[1]);
    assertThat(run(List.of(bad, good), null, false, Budget.DEFAULT))
        .isEqualTo(CheckRunner.EXIT_NOT_LINEARIZABLE);
    assertThat(out.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            bad
                + ": linearizable=false key=\"a\" op=process 1 read() -> nil key=\"a\" line 3\n"
                + good
                + ": linearizable=true\n");
    Path report = dir.resolve("reports/bad.jsonl.html");
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("report: " + report);
    assertThat(Files.readString(report)).contains("class=\"bad\"").contains("read() -&gt; nil");
  }

  @Test
  void jsonOutputCarriesResultAndOperation() throws Exception {
    Path bad = file("bad.jsonl", STALE_READ);
    run(List.of(bad), "register", true, Budget.DEFAULT);
    String json = out.toString(StandardCharsets.UTF_8).strip();
    assertThat(Json.parse(json))
        .isInstanceOfSatisfying(
            java.util.Map.class,
            map -> {
              assertThat(map.get("result")).isEqualTo("not-linearizable");
              assertThat(map.get("key")).isEqualTo("a");
              assertThat(((java.util.Map<?, ?>) map.get("operation")).get("invokeLine"))
                  .isEqualTo(3L);
            });
  }

  @Test
  void malformedFileExitsTwoAndOtherFilesAreStillChecked() throws Exception {
    Path broken = file("broken.jsonl", STALE_READ[0], "{\"process\":0,\"type\":\"done\"}");
    Path bad = file("bad.jsonl", STALE_READ);
    assertThat(run(List.of(broken, bad), "register", false, Budget.DEFAULT))
        .isEqualTo(CheckRunner.EXIT_BAD_INPUT);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains(broken + ":2: type must be invoke, ok, fail or info, got \"done\"");
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("linearizable=false");
  }

  @Test
  void unknownModelAndMissingFileAreBadInput() throws Exception {
    Path good = file("good.jsonl", STALE_READ[0], STALE_READ[1]);
    assertThat(run(List.of(good), "queue", false, Budget.DEFAULT))
        .isEqualTo(CheckRunner.EXIT_BAD_INPUT);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown model 'queue'");
    assertThat(run(List.of(dir.resolve("absent.jsonl")), null, false, Budget.DEFAULT))
        .isEqualTo(CheckRunner.EXIT_BAD_INPUT);
  }

  @Test
  void exhaustedBudgetIsUnknownNeverAGuess() throws Exception {
    // Ten concurrent indeterminate writes and a read: more than two configurations to try.
    List<String> lines = new java.util.ArrayList<>();
    for (int p = 0; p < 10; p++) {
      lines.add("{\"process\":" + p + ",\"type\":\"invoke\",\"f\":\"write\",\"value\":" + p + "}");
    }
    lines.add("{\"process\":99,\"type\":\"invoke\",\"f\":\"cas\",\"value\":[3,4]}");
    lines.add("{\"process\":99,\"type\":\"ok\",\"f\":\"cas\",\"value\":[3,4]}");
    lines.add("{\"process\":98,\"type\":\"invoke\",\"f\":\"read\"}");
    lines.add("{\"process\":98,\"type\":\"ok\",\"f\":\"read\",\"value\":7}");
    Path many = file("many.jsonl", lines.toArray(String[]::new));
    assertThat(run(List.of(many), "register", false, new Budget(Duration.ofMinutes(1), 2)))
        .isEqualTo(CheckRunner.EXIT_UNKNOWN);
    assertThat(out.toString(StandardCharsets.UTF_8))
        .startsWith("linearizable=unknown (more than 2 search configurations at once");
    out.reset();
    assertThat(run(List.of(many), "register", false, Budget.DEFAULT))
        .isEqualTo(CheckRunner.EXIT_LINEARIZABLE);
  }
}
