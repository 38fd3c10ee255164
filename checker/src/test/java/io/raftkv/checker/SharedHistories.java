package io.raftkv.checker;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Finds ../shared/testdata/histories by walking up from the working directory. */
final class SharedHistories {
  record Entry(Path file, String name, String model, String expected) {}

  private SharedHistories() {}

  /** The directory, or a skipped test (JUnit assumption) saying why. */
  static Path directory() {
    Path found = find();
    assumeTrue(
        found != null,
        "shared test histories not found: looked for"
            + " shared/testdata/histories/MANIFEST.tsv in every parent of "
            + Path.of("").toAbsolutePath()
            + "; skipping");
    return found;
  }

  private static Path find() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("shared/testdata/histories");
      if (Files.isRegularFile(candidate.resolve("MANIFEST.tsv"))) {
        return candidate;
      }
    }
    return null;
  }

  static List<Entry> manifest() throws IOException {
    Path dir = directory();
    List<Entry> entries = new ArrayList<>();
    List<String> lines = Files.readAllLines(dir.resolve("MANIFEST.tsv"));
    for (String line : lines.subList(1, lines.size())) {
      if (line.isBlank()) {
        continue;
      }
      String[] fields = line.split("\t", -1);
      entries.add(new Entry(dir.resolve(fields[0]), fields[0], fields[1], fields[2]));
    }
    return entries;
  }
}
