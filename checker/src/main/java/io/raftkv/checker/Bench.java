package io.raftkv.checker;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code raftkv check --bench DIR}: parses every history once, warms the JIT up, then times the
 * check alone and prints the median of several runs per file and the total of the medians. If DIR
 * holds a MANIFEST.tsv (file, model, expected), it supplies each file's model and the verdict that
 * must come out.
 */
public final class Bench {
  private Bench() {}

  private record Item(Path file, String name, History history, Model model, String expected) {}

  /** Exit code as for {@link CheckRunner#check}; 1 also when a verdict contradicts the manifest. */
  public static int run(
      Path directory, CheckRunner.Options options, int runs, PrintStream out, PrintStream err) {
    List<Item> items;
    try {
      items = load(directory, options);
    } catch (MalformedHistoryException e) {
      err.println("raftkv check --bench: " + e.getMessage());
      return CheckRunner.EXIT_BAD_INPUT;
    } catch (IOException | IllegalArgumentException e) {
      err.println("raftkv check --bench: " + directory + ": " + e.getMessage());
      return CheckRunner.EXIT_BAD_INPUT;
    }
    try {
      warmUp(items, options.budget(), options.jobs());
      return measure(items, options.budget(), options.jobs(), runs, out);
    } catch (MalformedHistoryException e) {
      err.println("raftkv check --bench: " + e.getMessage());
      return CheckRunner.EXIT_BAD_INPUT;
    }
  }

  private static List<Item> load(Path directory, CheckRunner.Options options)
      throws IOException, MalformedHistoryException {
    Map<String, String[]> manifest = new HashMap<>();
    Path manifestFile = directory.resolve("MANIFEST.tsv");
    if (Files.isRegularFile(manifestFile)) {
      for (String line : Files.readAllLines(manifestFile)) {
        String[] fields = line.split("\t");
        if (fields.length >= 3 && !fields[0].equals("file")) {
          manifest.put(fields[0], fields);
        }
      }
    }
    List<Item> items = new ArrayList<>();
    for (Path file : CheckRunner.historyFiles(directory)) {
      String name = directory.relativize(file).toString().replace('\\', '/');
      History history = History.read(file, options.format());
      String[] entry = manifest.get(name);
      Model model =
          options.model() != null
              ? Models.byName(options.model())
              : entry != null ? Models.byName(entry[1]) : Models.infer(history);
      items.add(new Item(file, name, history, model, entry == null ? null : entry[2]));
    }
    return items;
  }

  /** Until the JIT has seen every file a few times and at least two seconds have passed. */
  private static void warmUp(List<Item> items, Budget budget, int jobs)
      throws MalformedHistoryException {
    long started = System.nanoTime();
    for (int round = 0; round < 5 || System.nanoTime() - started < 2_000_000_000L; round++) {
      for (Item item : items) {
        LinearizabilityChecker.check(
            item.history(), item.model(), budget, jobs, LinearizabilityChecker.Progress.NONE);
      }
      if (round > 50) {
        break;
      }
    }
  }

  private static int measure(List<Item> items, Budget budget, int jobs, int runs, PrintStream out)
      throws MalformedHistoryException {
    double totalMillis = 0;
    boolean mismatch = false;
    boolean unknown = false;
    out.printf("%-32s %8s %-18s %10s%n", "file", "ops", "verdict", "median ms");
    for (Item item : items) {
      double[] millis = new double[runs];
      Verdict verdict = null;
      for (int run = 0; run < runs; run++) {
        verdict =
            LinearizabilityChecker.check(
                item.history(), item.model(), budget, jobs, LinearizabilityChecker.Progress.NONE);
        millis[run] = verdict.elapsed().toNanos() / 1e6;
      }
      Arrays.sort(millis);
      double median = millis[runs / 2];
      totalMillis += median;
      String result = verdict.result().jsonName();
      boolean wrong = item.expected() != null && !item.expected().equals(result);
      mismatch |= wrong;
      unknown |= verdict.result() == Verdict.Result.UNKNOWN;
      out.printf(
          "%-32s %8d %-18s %10.3f%s%n",
          item.name(),
          item.history().operations().size(),
          result,
          median,
          wrong ? "  EXPECTED " + item.expected() : "");
    }
    out.printf(
        "total: %d files, %.3f ms of check time (sum of medians of %d runs)%n",
        items.size(), totalMillis, runs);
    return mismatch
        ? CheckRunner.EXIT_NOT_LINEARIZABLE
        : unknown ? CheckRunner.EXIT_UNKNOWN : CheckRunner.EXIT_LINEARIZABLE;
  }
}
