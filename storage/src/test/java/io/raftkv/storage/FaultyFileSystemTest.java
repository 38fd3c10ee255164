package io.raftkv.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The power-loss model the recovery rules are tested against (docs/wal-format.md). */
class FaultyFileSystemTest {
  private static final Path DIR = Path.of("/d");
  private static final Path FILE = DIR.resolve("f");

  /**
   * An unsynced overwrite of preallocated zeros survives a crash sector by sector in no order; each
   * sector is wholly old or wholly new, and across seeds both mixes occur.
   */
  @Test
  void aCrashKeepsEachOverwrittenSectorOldOrNewInNoOrder() throws Exception {
    int sectors = 8;
    boolean sawLaterSectorWithoutEarlier = false;
    for (long seed = 1; seed <= 50; seed++) {
      FaultyFileSystem fs = new FaultyFileSystem(seed);
      fs.createDirectories(DIR);
      try (FileSystem.WritableFile file = fs.create(FILE)) {
        file.preallocate((long) sectors * FaultyFileSystem.SECTOR_BYTES);
        fs.syncDirectory(DIR);
        assertThat(fs.bytes(FILE)).as("preallocated zeros").containsOnly(0);
        byte[] ones = new byte[sectors * FaultyFileSystem.SECTOR_BYTES];
        Arrays.fill(ones, (byte) 1);
        file.write(ByteBuffer.wrap(ones));
      }
      fs.crash();
      byte[] after = fs.bytes(FILE);
      assertThat(after)
          .as("seed %d: the length was durable", seed)
          .hasSize(sectors * FaultyFileSystem.SECTOR_BYTES);
      boolean[] kept = new boolean[sectors];
      for (int s = 0; s < sectors; s++) {
        byte[] sector =
            Arrays.copyOfRange(
                after, s * FaultyFileSystem.SECTOR_BYTES, (s + 1) * FaultyFileSystem.SECTOR_BYTES);
        kept[s] = sector[0] == 1;
        assertThat(sector).as("seed %d sector %d is whole", seed, s).containsOnly(sector[0]);
      }
      for (int s = 1; s < sectors; s++) {
        sawLaterSectorWithoutEarlier |= kept[s] && !kept[s - 1];
      }
    }
    assertThat(sawLaterSectorWithoutEarlier).as("out-of-order sectors occur").isTrue();
  }

  @Test
  void writesGoAtThePositionAndAPositionPastTheEndIsRefused() throws Exception {
    FaultyFileSystem fs = new FaultyFileSystem(1);
    fs.createDirectories(DIR);
    try (FileSystem.WritableFile file = fs.create(FILE)) {
      file.preallocate(100);
      file.position(10);
      file.write(ByteBuffer.wrap(new byte[] {7, 8}));
      assertThat(file.sizeBytes()).isEqualTo(100);
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> file.position(101))
          .hasMessageContaining("past the end");
    }
    byte[] bytes = fs.bytes(FILE);
    assertThat(bytes[10]).isEqualTo((byte) 7);
    assertThat(bytes[11]).isEqualTo((byte) 8);
    assertThat(bytes[12]).isZero();
  }
}
