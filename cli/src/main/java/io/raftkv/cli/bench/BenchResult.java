package io.raftkv.cli.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * What one benchmark run measured: the requests that started and completed inside the measured
 * window, their latencies (microseconds) and the errors by kind.
 *
 * @param unfinished requests still outstanding when the drain timeout ran out
 * @param servers the servers' CPU and memory, when their PIDs were given (empty lists if not)
 */
public record BenchResult(
    String operation,
    LoadPlan plan,
    Histogram latencyMicros,
    Map<String, Long> errors,
    long unfinished,
    double measuredSeconds,
    ServerUsage servers) {
  /** The column names of {@link #csvRow()}, in order. */
  public static final List<String> CSV_COLUMNS =
      List.of(
          "operation",
          "clients",
          "rate",
          "seconds",
          "operations",
          "ops_per_second",
          "p50_ms",
          "p90_ms",
          "p99_ms",
          "p999_ms",
          "max_ms",
          "errors",
          "unfinished",
          "cpu_s_per_1k_ops",
          "rss_mib_max");

  public long operations() {
    return latencyMicros.getTotalCount();
  }

  public long errorCount() {
    return errors.values().stream().mapToLong(Long::longValue).sum();
  }

  public double operationsPerSecond() {
    return operations() / measuredSeconds;
  }

  /** The latency at {@code percentile} (0..100), in milliseconds. */
  public double latencyMillis(double percentile) {
    return latencyMicros.getValueAtPercentile(percentile) / 1000.0;
  }

  public double maxLatencyMillis() {
    return latencyMicros.getMaxValue() / 1000.0;
  }

  /** One line for a person: {@code put 64 clients: 6,310 ops/s ... errors 0}. */
  public String summaryLine() {
    StringBuilder line =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "%s %d clients%s: %,.0f ops/s, %,d ops in %.1f s, latency ms p50 %s p90 %s"
                    + " p99 %s p99.9 %s max %s, errors %d",
                operation,
                plan.clients(),
                plan.openLoop()
                    ? String.format(Locale.ROOT, " at %,.0f/s", plan.ratePerSecond())
                    : "",
                operationsPerSecond(),
                operations(),
                measuredSeconds,
                millis(latencyMillis(50)),
                millis(latencyMillis(90)),
                millis(latencyMillis(99)),
                millis(latencyMillis(99.9)),
                millis(maxLatencyMillis()),
                errorCount()));
    if (unfinished > 0) {
      line.append(String.format(Locale.ROOT, ", unfinished %d", unfinished));
    }
    if (!servers.cpuSeconds().isEmpty()) {
      line.append(
          String.format(
              Locale.ROOT,
              ", servers: %.3f CPU s per 1,000 ops each, RSS max %d MiB",
              servers.cpuSecondsPerThousandOperations(operations()),
              servers.residentBytesMax() >> 20));
    }
    errors.forEach(
        (kind, count) ->
            line.append(String.format(Locale.ROOT, "%n  error %,d × %s", count, kind)));
    return line.toString();
  }

  /** The result as one JSON object, for scripts. */
  public String json() {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode root = mapper.createObjectNode();
    root.put("operation", operation);
    root.put("clients", plan.clients());
    root.put("rate", plan.ratePerSecond());
    root.put("seconds", measuredSeconds);
    root.put("operations", operations());
    root.put("ops_per_second", operationsPerSecond());
    ObjectNode latency = root.putObject("latency_ms");
    latency.put("p50", latencyMillis(50));
    latency.put("p90", latencyMillis(90));
    latency.put("p99", latencyMillis(99));
    latency.put("p999", latencyMillis(99.9));
    latency.put("max", maxLatencyMillis());
    ObjectNode errorsByKind = root.putObject("errors");
    errors.forEach(errorsByKind::put);
    root.put("unfinished", unfinished);
    root.put("cpu_s_per_1k_ops", servers.cpuSecondsPerThousandOperations(operations()));
    root.put("rss_mib_max", servers.residentBytesMax() >> 20);
    return root.toString();
  }

  /** The result as one CSV row under {@link #CSV_COLUMNS}. */
  public String csvRow() {
    return String.join(
        ",",
        csvText(operation),
        Integer.toString(plan.clients()),
        number(plan.ratePerSecond()),
        number(measuredSeconds),
        Long.toString(operations()),
        number(operationsPerSecond()),
        number(latencyMillis(50)),
        number(latencyMillis(90)),
        number(latencyMillis(99)),
        number(latencyMillis(99.9)),
        number(maxLatencyMillis()),
        Long.toString(errorCount()),
        Long.toString(unfinished),
        number(servers.cpuSecondsPerThousandOperations(operations())),
        Long.toString(servers.residentBytesMax() >> 20));
  }

  private static String millis(double value) {
    return String.format(Locale.ROOT, value < 10 ? "%.2f" : "%.1f", value);
  }

  private static String number(double value) {
    return String.format(Locale.ROOT, "%.3f", value);
  }

  private static String csvText(String text) {
    return text.contains(",") || text.contains("\"")
        ? '"' + text.replace("\"", "\"\"") + '"'
        : text;
  }
}
