package io.raftkv.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchCompareCommandTest {
  private static final String HEADER =
      "store,run,operation,clients,rate,seconds,operations,ops_per_second,p50_ms,p90_ms,p99_ms,"
          + "p999_ms,max_ms,errors,unfinished,cpu_s_per_1k_ops,rss_mib_max";

  @Test
  void eachPointIsComparedWithTheBetterEtcdRunAndThePlotIsDrawn(@TempDir Path dir)
      throws Exception {
    Path results = dir.resolve("results.csv");
    Files.write(
        results,
        List.of(
            HEADER,
            "etcd,1,put,64,0,10,60000,6000,9,12,25,30,40,0,0,0.500,60",
            "raftkv,1,put,64,0,10,90000,9000,6,9,20,25,30,0,0,0.400,300",
            "etcd,2,put,64,0,10,50000,5000,9,12,25,30,40,0,0,0.500,60",
            "etcd,1,put,1,0,10,9500,950,1,1,2,3,4,0,0,0.900,60",
            "raftkv,1,put,1,0,10,9500,1900,0.5,1,2,3,4,0,0,0.700,300"));
    Path png = dir.resolve("bench.png");

    CliRun run = CliRun.of("bench", "compare", results.toString(), "--plot", png.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    // 9,000 against the better etcd run (6,000, not 5,000): 1.50.
    assertThat(run.out()).contains("| put × 64 | 9,000 | 6,000 | 1.50 |");
    assertThat(run.out()).contains("| put × 1 | 1,900 | 950 | 2.00 |");
    byte[] header = Files.readAllBytes(png);
    assertThat(header).startsWith(0x89, 'P', 'N', 'G');
  }

  @Test
  void aFileWithoutTheColumnsIsAClearError(@TempDir Path dir) throws Exception {
    Path results = dir.resolve("results.csv");
    Files.write(results, List.of("store,run,operation", "etcd,1,put"));

    CliRun run = CliRun.of("bench", "compare", results.toString());

    assertThat(run.exitCode()).isNotZero();
    assertThat(run.err()).contains("no column 'clients'");
  }
}
