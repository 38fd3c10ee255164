package io.raftkv.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.LineMap;
import com.sun.source.tree.MethodTree;
import com.sun.source.util.JavacTask;
import com.sun.source.util.SourcePositions;
import com.sun.source.util.TreePathScanner;
import com.sun.source.util.Trees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * Style the build enforces (STYLE.md §10, TigerBeetle's tidy.zig): every module's sources are read
 * from the repository root, so a new file anywhere is held to the same limits.
 */
class TidyTest {
  static final int MAIN_FILE_LINES_MAX = 500;
  static final int METHOD_LINES_MAX = 70;
  static final int LINE_COLUMNS_MAX = 100;

  /** A TODO in a comment that names no issue ("TODO(issue 18): ..." does). */
  private static final Pattern TODO_WITHOUT_ISSUE =
      Pattern.compile(
          // The words are split so that this line is not a match of its own.
          "(//|/\\*|^\\s*\\*)(?!.*issue\\s*\\d+).*\\b(TO" + "DO|FIX" + "ME|X" + "XX)\\b");

  @Test
  void mainSourceFilesStayUnderTheirLineLimit() {
    List<String> tooLong = new ArrayList<>();
    for (Path file : sources("main")) {
      long lines = lines(file).size();
      if (lines > MAIN_FILE_LINES_MAX) {
        tooLong.add(relative(file) + ": " + lines + " lines");
      }
    }
    assertThat(tooLong).as("main files over %d lines", MAIN_FILE_LINES_MAX).isEmpty();
  }

  @Test
  void linesStayWithinOneHundredColumns() {
    List<String> wide = new ArrayList<>();
    for (Path file : allSources()) {
      List<String> lines = lines(file);
      for (int i = 0; i < lines.size(); i++) {
        if (lines.get(i).length() > LINE_COLUMNS_MAX && !lines.get(i).startsWith("import ")) {
          wide.add(relative(file) + ":" + (i + 1) + ": " + lines.get(i).length() + " columns");
        }
      }
    }
    assertThat(wide).as("lines over %d columns", LINE_COLUMNS_MAX).isEmpty();
  }

  @Test
  void everyTodoNamesAnIssue() {
    List<String> orphans = new ArrayList<>();
    for (Path file : allSources()) {
      List<String> lines = lines(file);
      for (int i = 0; i < lines.size(); i++) {
        if (TODO_WITHOUT_ISSUE.matcher(lines.get(i)).find()) {
          orphans.add(relative(file) + ":" + (i + 1) + ": " + lines.get(i).strip());
        }
      }
    }
    assertThat(orphans).as("TODOs that name no issue (write 'TODO(issue 18): ...')").isEmpty();
  }

  @Test
  void methodsStayUnderTheirLineLimit() throws IOException {
    List<String> tooLong = new ArrayList<>();
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    try (StandardJavaFileManager files = javac.getStandardFileManager(null, null, null)) {
      Iterable<? extends JavaFileObject> units = files.getJavaFileObjectsFromPaths(allSources());
      JavacTask task =
          (JavacTask) javac.getTask(null, files, null, List.of("-proc:none"), null, units);
      SourcePositions positions = Trees.instance(task).getSourcePositions();
      for (CompilationUnitTree unit : task.parse()) {
        new MethodLengths(unit, positions, tooLong).scan(unit, null);
      }
    }
    assertThat(tooLong).as("methods over %d lines", METHOD_LINES_MAX).isEmpty();
  }

  /** Collects every method (constructors and lambdas' enclosing methods too) over the limit. */
  private static final class MethodLengths extends TreePathScanner<Void, Void> {
    private final CompilationUnitTree unit;
    private final SourcePositions positions;
    private final List<String> tooLong;
    private final LineMap lineMap;
    private String className = "";

    MethodLengths(CompilationUnitTree unit, SourcePositions positions, List<String> tooLong) {
      this.unit = unit;
      this.positions = positions;
      this.tooLong = tooLong;
      this.lineMap = unit.getLineMap();
    }

    @Override
    public Void visitClass(ClassTree tree, Void unused) {
      String outer = className;
      className = tree.getSimpleName().toString();
      super.visitClass(tree, null);
      className = outer;
      return null;
    }

    @Override
    public Void visitMethod(MethodTree tree, Void unused) {
      if (tree.getBody() != null) {
        long first = lineMap.getLineNumber(positions.getStartPosition(unit, tree.getBody()));
        long last = lineMap.getLineNumber(positions.getEndPosition(unit, tree.getBody()));
        long bodyLines = last - first - 1;
        if (bodyLines > METHOD_LINES_MAX) {
          tooLong.add(
              relative(Path.of(unit.getSourceFile().toUri()))
                  + ": "
                  + className
                  + "."
                  + tree.getName()
                  + " has "
                  + bodyLines
                  + " lines");
        }
      }
      return super.visitMethod(tree, null);
    }
  }

  /** The repository root: tests run in their module's directory, one level below it. */
  private static Path root() {
    Path here = Path.of("").toAbsolutePath();
    Path root =
        Files.exists(here.resolve("pom.xml")) && Files.isDirectory(here.resolve("raft"))
            ? here
            : here.getParent();
    assertThat(root.resolve("raft")).as("repository root from %s", here).isDirectory();
    return root;
  }

  private static List<Path> sources(String sourceSet) {
    try (Stream<Path> modules = Files.list(root())) {
      List<Path> all = new ArrayList<>();
      for (Path module : modules.filter(Files::isDirectory).sorted().toList()) {
        Path java = module.resolve("src").resolve(sourceSet).resolve("java");
        if (Files.isDirectory(java)) {
          try (Stream<Path> walk = Files.walk(java)) {
            walk.filter(p -> p.toString().endsWith(".java")).sorted().forEach(all::add);
          }
        }
      }
      return all;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<Path> allSources() {
    List<Path> all = new ArrayList<>(sources("main"));
    all.addAll(sources("test"));
    return all;
  }

  private static List<String> lines(Path file) {
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String relative(Path file) {
    return root().relativize(file.toAbsolutePath()).toString();
  }
}
