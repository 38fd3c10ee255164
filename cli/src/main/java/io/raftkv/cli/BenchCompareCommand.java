package io.raftkv.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code raftkv bench compare}: the table of raftkv against etcd from the rows {@code
 * scripts/bench-vs-etcd.sh} collects, each point against the better of etcd's runs (the machine
 * drifts), and the plot of put throughput and p99 against clients.
 */
@Command(
    name = "compare",
    description = "Prints raftkv/etcd ratios from bench rows (store,run,<raftkv bench --csv>).")
final class BenchCompareCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "RESULTS.csv", description = "rows written by scripts/bench-vs-etcd.sh")
  Path results;

  @Option(names = "--plot", paramLabel = "PNG", description = "draw put throughput and p99 here")
  Path plot;

  /** One measured point of one store. */
  record Row(
      String store,
      String operation,
      int clients,
      double opsPerSecond,
      double p50Millis,
      double p99Millis,
      double cpuSecondsPerThousand,
      long rssMib) {}

  @Override
  public Integer call() throws IOException {
    List<Row> rows = read(results);
    PrintWriter out = spec.commandLine().getOut();
    out.println(
        "| point | raftkv ops/s | etcd ops/s | ratio | p50 ms raftkv / etcd | p99 ms raftkv / etcd"
            + " | CPU s per 1k ops raftkv / etcd | RSS MiB raftkv / etcd |");
    out.println("| --- | --- | --- | --- | --- | --- | --- | --- |");
    for (Map.Entry<String, List<Row>> point : byPoint(rows).entrySet()) {
      Optional<Row> raftkv = best(point.getValue(), "raftkv");
      Optional<Row> etcd = best(point.getValue(), "etcd");
      if (raftkv.isEmpty() || etcd.isEmpty()) {
        continue;
      }
      Row r = raftkv.get();
      Row e = etcd.get();
      out.printf(
          Locale.ROOT,
          "| %s | %,.0f | %,.0f | %.2f | %.2f / %.2f | %.1f / %.1f | %.3f / %.3f | %d / %d |%n",
          point.getKey(),
          r.opsPerSecond(),
          e.opsPerSecond(),
          r.opsPerSecond() / e.opsPerSecond(),
          r.p50Millis(),
          e.p50Millis(),
          r.p99Millis(),
          e.p99Millis(),
          r.cpuSecondsPerThousand(),
          e.cpuSecondsPerThousand(),
          r.rssMib(),
          e.rssMib());
    }
    out.flush();
    if (plot != null) {
      draw(rows, plot);
      out.println("plot: " + plot);
    }
    return 0;
  }

  static List<Row> read(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    if (lines.isEmpty()) {
      throw new IllegalArgumentException(file + " is empty");
    }
    List<String> header = List.of(lines.get(0).split(",", -1));
    List<Row> rows = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      if (line.isBlank() || line.equals(lines.get(0))) {
        continue;
      }
      String[] cells = line.split(",", -1);
      rows.add(
          new Row(
              cells[column(header, "store")],
              cells[column(header, "operation")],
              Integer.parseInt(cells[column(header, "clients")]),
              Double.parseDouble(cells[column(header, "ops_per_second")]),
              Double.parseDouble(cells[column(header, "p50_ms")]),
              Double.parseDouble(cells[column(header, "p99_ms")]),
              Double.parseDouble(cells[column(header, "cpu_s_per_1k_ops")]),
              Long.parseLong(cells[column(header, "rss_mib_max")])));
    }
    return rows;
  }

  private static int column(List<String> header, String name) {
    int index = header.indexOf(name);
    if (index < 0) {
      throw new IllegalArgumentException("no column '" + name + "' in " + header);
    }
    return index;
  }

  private static Map<String, List<Row>> byPoint(List<Row> rows) {
    Map<String, List<Row>> points = new LinkedHashMap<>();
    for (Row row : rows) {
      points
          .computeIfAbsent(row.operation() + " × " + row.clients(), k -> new ArrayList<>())
          .add(row);
    }
    return points;
  }

  /** The store's fastest run of a point: the machine only ever slows a run down. */
  private static Optional<Row> best(List<Row> rows, String store) {
    return rows.stream()
        .filter(row -> row.store().equals(store))
        .max(Comparator.comparingDouble(Row::opsPerSecond));
  }

  private static void draw(List<Row> rows, Path png) throws IOException {
    System.setProperty("java.awt.headless", "true");
    XYChart throughput = chart("put throughput", "ops/s");
    XYChart p99 = chart("put p99 latency", "ms");
    for (String store : List.of("raftkv", "etcd")) {
      List<Row> puts = new ArrayList<>();
      for (List<Row> point : byPoint(rows).values()) {
        best(point, store).filter(row -> row.operation().equals("put")).ifPresent(puts::add);
      }
      if (puts.isEmpty()) {
        continue;
      }
      puts.sort(Comparator.comparingInt(Row::clients));
      List<Integer> clients = puts.stream().map(Row::clients).toList();
      throughput.addSeries(store, clients, puts.stream().map(Row::opsPerSecond).toList());
      p99.addSeries(store, clients, puts.stream().map(Row::p99Millis).toList());
    }
    BitmapEncoder.saveBitmap(
        List.of(throughput, p99), 1, 2, png.toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  private static XYChart chart(String title, String unit) {
    XYChart chart =
        new XYChartBuilder()
            .width(560)
            .height(400)
            .title(title)
            .xAxisTitle("clients")
            .yAxisTitle(unit)
            .build();
    chart.getStyler().setXAxisLogarithmic(true);
    return chart;
  }
}
