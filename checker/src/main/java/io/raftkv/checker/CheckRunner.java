package io.raftkv.checker;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code raftkv check} does, kept here so it is tested with the checker: read each file, check
 * it, print one line (or one JSON object) per file, write HTML reports for failures, and pick the
 * exit code. Bad input for one file is reported and the others are still checked.
 */
public final class CheckRunner {
  public static final int EXIT_LINEARIZABLE = 0;
  public static final int EXIT_NOT_LINEARIZABLE = 1;
  public static final int EXIT_BAD_INPUT = 2;

  /** Issue 4's contract: unknown shares 2 with bad input; the printed line tells them apart. */
  public static final int EXIT_UNKNOWN = 2;

  /**
   * @param model model name, or null to infer it from each history's functions
   * @param format input format, or null to detect it from each file's content
   * @param json print one JSON object per file instead of the verdict line
   * @param reportDirectory where to write {@code <file>.html} for failures, or null for none
   * @param budget what one history may cost before the answer is unknown
   * @param jobs how many keys of a history to search at once
   * @param progress print a progress line to the error stream every few seconds of a long check
   */
  public record Options(
      String model,
      HistoryFormat format,
      boolean json,
      Path reportDirectory,
      Budget budget,
      int jobs,
      boolean progress) {
    public Options {
      if (jobs < 1) {
        throw new IllegalArgumentException("jobs must be positive, got " + jobs);
      }
    }

    /** One key at a time. */
    public Options(
        String model, HistoryFormat format, boolean json, Path reportDirectory, Budget budget) {
      this(model, format, json, reportDirectory, budget, 1, false);
    }
  }

  private CheckRunner() {}

  /**
   * Checks every file. Exit code: 2 if any file was unreadable or malformed, else 1 if any is not
   * linearizable, else 2 if any is unknown, else 0.
   */
  public static int check(List<Path> files, Options options, PrintStream out, PrintStream err) {
    Model fixed;
    try {
      fixed = options.model() == null ? null : Models.byName(options.model());
    } catch (IllegalArgumentException e) {
      err.println("raftkv check: " + e.getMessage());
      return EXIT_BAD_INPUT;
    }
    boolean badInput = false;
    boolean failed = false;
    boolean unknown = false;
    for (Path file : files) {
      try {
        History history = History.read(file, options.format());
        Model model = fixed != null ? fixed : Models.infer(history);
        LinearizabilityChecker.Progress progress =
            options.progress()
                ? new ProgressLine(
                    err, file.toString(), LinearizabilityChecker.partitions(history, model).size())
                : LinearizabilityChecker.Progress.NONE;
        Verdict verdict =
            LinearizabilityChecker.check(
                history, model, options.budget(), options.jobs(), progress);
        print(out, options, files.size() > 1, file, verdict);
        failed |= verdict.result() == Verdict.Result.NOT_LINEARIZABLE;
        unknown |= verdict.result() == Verdict.Result.UNKNOWN;
        if (verdict.result() == Verdict.Result.NOT_LINEARIZABLE
            && options.reportDirectory() != null) {
          Path report = reportPath(options.reportDirectory(), file);
          HtmlReport.write(history, model, verdict, report);
          err.println("report: " + report);
        }
      } catch (MalformedHistoryException e) {
        err.println("raftkv check: " + e.getMessage());
        badInput = true;
      } catch (IOException e) {
        err.println("raftkv check: " + file + ": cannot read: " + e);
        badInput = true;
      }
    }
    return badInput
        ? EXIT_BAD_INPUT
        : failed ? EXIT_NOT_LINEARIZABLE : unknown ? EXIT_UNKNOWN : EXIT_LINEARIZABLE;
  }

  private static void print(
      PrintStream out, Options options, boolean many, Path file, Verdict verdict) {
    if (options.json()) {
      out.println(verdict.json(file.toString()));
    } else {
      out.println(many ? file + ": " + verdict.line() : verdict.line());
    }
  }

  static Path reportPath(Path directory, Path file) throws IOException {
    Files.createDirectories(directory);
    return directory.resolve(file.getFileName() + ".html");
  }

  /** Files to check under a directory: regular files, sorted, minus docs and manifests. */
  static List<Path> historyFiles(Path directory) throws IOException {
    List<Path> files = new ArrayList<>();
    try (var walk = Files.walk(directory)) {
      walk.filter(Files::isRegularFile)
          .filter(p -> !p.getFileName().toString().endsWith(".md"))
          .filter(p -> !p.getFileName().toString().endsWith(".tsv"))
          .filter(p -> !p.getFileName().toString().startsWith("."))
          .sorted()
          .forEach(files::add);
    }
    return files;
  }
}
