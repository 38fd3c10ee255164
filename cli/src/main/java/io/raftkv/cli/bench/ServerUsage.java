package io.raftkv.cli.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CPU time and resident memory of the server processes a benchmark drives, read from Linux's {@code
 * /proc}: the cost of each operation beside its speed, for raftkv and etcd alike.
 *
 * @param cpuSeconds CPU time (user + system) each process used during the measured window
 * @param residentBytes each process's resident set at the end of the window
 */
public record ServerUsage(List<Double> cpuSeconds, List<Long> residentBytes) {
  /** Clock ticks per second of /proc's times: 100 on every Linux this runs on (USER_HZ). */
  private static final double TICKS_PER_SECOND = 100.0;

  /** CPU ticks of each process now; 0 for a process that is gone. */
  static List<Long> cpuTicks(List<Long> pids) {
    List<Long> ticks = new ArrayList<>();
    for (long pid : pids) {
      String stat = read(Path.of("/proc", Long.toString(pid), "stat"));
      if (stat.isEmpty()) {
        ticks.add(0L);
        continue;
      }
      // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ", -1);
      ticks.add(Long.parseLong(fields[11]) + Long.parseLong(fields[12])); // utime, stime
    }
    return ticks;
  }

  static ServerUsage between(List<Long> pids, List<Long> ticksBefore) {
    List<Long> ticksAfter = cpuTicks(pids);
    List<Double> seconds = new ArrayList<>();
    List<Long> resident = new ArrayList<>();
    for (int i = 0; i < pids.size(); i++) {
      seconds.add(Math.max(0, ticksAfter.get(i) - ticksBefore.get(i)) / TICKS_PER_SECOND);
      resident.add(residentBytes(pids.get(i)));
    }
    return new ServerUsage(seconds, resident);
  }

  private static long residentBytes(long pid) {
    for (String line : read(Path.of("/proc", Long.toString(pid), "status")).lines().toList()) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    return 0;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      return ""; // the process has exited: it used nothing more
    }
  }

  /** CPU seconds per 1,000 operations, averaged over the processes. */
  public double cpuSecondsPerThousandOperations(long operations) {
    if (operations == 0 || cpuSeconds.isEmpty()) {
      return 0;
    }
    double mean = cpuSeconds.stream().mapToDouble(Double::doubleValue).average().orElse(0);
    return mean * 1000 / operations;
  }

  public long residentBytesMax() {
    return residentBytes.stream().mapToLong(Long::longValue).max().orElse(0);
  }
}
