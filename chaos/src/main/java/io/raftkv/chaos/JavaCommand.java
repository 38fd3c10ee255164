package io.raftkv.chaos;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How to start a server: a JVM, its options, a class path and a main class with its first
 * arguments. The production CLI starts {@code raftkv server} from its own jar; the chaos harness
 * starts the buggy-server jar the same way, and tests start the class path they run on.
 *
 * @param leadingArgs what comes before the server's flags, e.g. {@code server}
 */
public record JavaCommand(
    Path java,
    List<String> jvmOptions,
    String classPath,
    String mainClass,
    List<String> leadingArgs) {
  public JavaCommand {
    jvmOptions = List.copyOf(jvmOptions);
    leadingArgs = List.copyOf(leadingArgs);
  }

  /** A small heap and the serial collector: five servers share a laptop (or a 2-core CI box). */
  static final List<String> SERVER_JVM_OPTIONS = List.of("-Xms32m", "-Xmx256m", "-XX:+UseSerialGC");

  /**
   * {@code mainClass} on this JVM's class path. Under surefire the class path of the test JVM is a
   * manifest-only jar deleted at exit; {@code surefire.test.class.path} names the real entries.
   */
  public static JavaCommand onThisClassPath(String mainClass, String... leadingArgs) {
    String surefire = System.getProperty("surefire.test.class.path");
    String classPath = surefire != null ? surefire : System.getProperty("java.class.path");
    return new JavaCommand(
        Path.of(System.getProperty("java.home"), "bin", "java"),
        serverJvmOptions(),
        String.join(File.pathSeparator, classPath.split(File.pathSeparator)),
        mainClass,
        List.of(leadingArgs));
  }

  /** The same JVM and options running {@code mainClass} from {@code jar}. */
  public static JavaCommand fromJar(Path jar, String mainClass, String... leadingArgs) {
    return new JavaCommand(
        Path.of(System.getProperty("java.home"), "bin", "java"),
        serverJvmOptions(),
        jar.toAbsolutePath().toString(),
        mainClass,
        List.of(leadingArgs));
  }

  /** The command line with {@code args} after the leading arguments. */
  public List<String> commandLine(List<String> args) {
    List<String> line = new ArrayList<>();
    line.add(java.toString());
    line.addAll(jvmOptions);
    line.add("-cp");
    line.add(classPath);
    line.add(mainClass);
    line.addAll(leadingArgs);
    line.addAll(args);
    return line;
  }

  private static List<String> serverJvmOptions() {
    List<String> options = new ArrayList<>(SERVER_JVM_OPTIONS);
    // protobuf-java still uses sun.misc.Unsafe; JDK 24+ warns unless it is allowed (bin/raftkv).
    if (Runtime.version().feature() >= 24) {
      options.add("--sun-misc-unsafe-memory-access=allow");
    }
    // gRPC's shaded Netty loads its native transport; JDK 22+ warns unless that is allowed.
    if (Runtime.version().feature() >= 22) {
      options.add("--enable-native-access=ALL-UNNAMED");
    }
    return options;
  }
}
