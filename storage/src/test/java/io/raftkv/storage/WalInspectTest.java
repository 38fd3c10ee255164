package io.raftkv.storage;

import static io.raftkv.storage.Fixtures.DIR;
import static io.raftkv.storage.Fixtures.WAL_DIR;
import static io.raftkv.storage.Fixtures.entries;
import static io.raftkv.storage.Fixtures.options;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftkv.raft.Configuration;
import io.raftkv.raft.Snapshot;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class WalInspectTest {
  private final FaultyFileSystem fs = new FaultyFileSystem(5);
  private final ByteArrayOutputStream output = new ByteArrayOutputStream();

  private int inspect() {
    output.reset();
    return WalInspect.run(fs, DIR, new PrintStream(output, true, StandardCharsets.UTF_8));
  }

  private String text() {
    return output.toString(StandardCharsets.UTF_8);
  }

  private void write() {
    try (RaftStorage storage = RaftStorage.open(fs, DIR, options(1024))) {
      for (long i = 1; i <= 100; i += 5) {
        storage.persist(PersistBatch.entries(entries(2, i, i + 4)));
      }
      storage.compact(new Snapshot(20, 2, Configuration.ofIds(1, 2, 3), new byte[9]));
    }
  }

  @Test
  void aSoundDirectoryReportsSegmentsSnapshotsAndExitsZero() {
    write();
    assertThat(inspect()).isZero();
    assertThat(text())
        .contains("segment 0000000000000001.wal")
        .contains("last_index=100")
        .contains("log snapshot_index=20 snapshot_term=2 last_index=100 entries=80")
        .contains("snapshot " + SnapshotFormat.fileName(20, 2) + " index=20 term=2")
        .doesNotContain("CORRUPT");
  }

  @Test
  void aTornTailIsNamedAsRepairable() throws Exception {
    write();
    List<String> names = fs.list(WAL_DIR);
    Path last = WAL_DIR.resolve(names.get(names.size() - 1));
    byte[] bytes = fs.bytes(last);
    int end = (int) SegmentScan.scan("x", bytes).end;
    fs.replaceDurably(last, Arrays.copyOf(bytes, end - 5));
    assertThat(inspect()).isZero();
    assertThat(text()).contains("TORN TAIL " + last.getFileName()).contains("next open");
    assertThat(fs.bytes(last)).as("inspect changes nothing").hasSize(end - 5);
  }

  @Test
  void zerosAfterTheRecordsAreNamedAsPreallocatedSpaceNotAsDamage() throws Exception {
    write();
    List<String> names = fs.list(WAL_DIR);
    Path last = WAL_DIR.resolve(names.get(names.size() - 1));
    byte[] bytes = fs.bytes(last);
    int end = (int) SegmentScan.scan("x", bytes).end;
    fs.replaceDurably(last, Arrays.copyOf(Arrays.copyOf(bytes, end), end + 8192));
    assertThat(inspect()).isZero();
    assertThat(text())
        .contains("segment " + last.getFileName() + " bytes=" + end)
        .contains("preallocated=8192")
        .doesNotContain("TORN")
        .doesNotContain("CORRUPT");
  }

  @Test
  void corruptionExitsOneNamingFileAndOffset() throws Exception {
    write();
    Path first = WAL_DIR.resolve(fs.list(WAL_DIR).get(0));
    byte[] bytes = fs.bytes(first);
    bytes[200] ^= 4;
    fs.replaceDurably(first, bytes);
    assertThat(inspect()).isEqualTo(1);
    assertThat(text()).contains("CORRUPT " + first.getFileName()).contains("at offset");
  }
}
