package io.raftkv.storage;

import static io.raftkv.storage.Fixtures.DIR;
import static io.raftkv.storage.Fixtures.WAL_DIR;
import static io.raftkv.storage.Fixtures.entries;
import static io.raftkv.storage.Fixtures.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkv.raft.Configuration;
import io.raftkv.raft.Snapshot;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The recovery rules of docs/wal-format.md: a torn tail is dropped, anything else refused. */
class RecoveryTest {
  private final FaultyFileSystem fs = new FaultyFileSystem(7);

  private void write(long segmentBytes, long lastIndex) {
    try (RaftStorage storage = RaftStorage.open(fs, DIR, options(segmentBytes))) {
      for (long i = 1; i <= lastIndex; i++) {
        storage.persist(PersistBatch.entries(entries(1, i, i)));
      }
    }
  }

  private Path lastSegment() {
    List<String> names = fs.list(WAL_DIR);
    return WAL_DIR.resolve(names.get(names.size() - 1));
  }

  private RaftStorage open(long segmentBytes) {
    return RaftStorage.open(fs, DIR, options(segmentBytes));
  }

  @Test
  void cutAtEveryByteOfTheLastRecordKeepsEveryEntryBeforeIt() throws Exception {
    write(1 << 20, 10);
    Path segment = lastSegment();
    byte[] full = fs.bytes(segment);
    SegmentScan scan = SegmentScan.scan("x", full);
    long lastStart = scan.records.get(scan.records.size() - 1).offset();
    for (int cut = (int) lastStart; cut < full.length; cut++) {
      fs.replaceDurably(segment, Arrays.copyOf(full, cut));
      try (RaftStorage storage = open(1 << 20)) {
        assertThat(storage.recovered().entries()).as("cut at %d", cut)
            .containsExactlyElementsOf(entries(1, 1, 9));
      }
      assertThat(fs.bytes(segment)).as("torn tail cut off at %d", cut).hasSize((int) lastStart);
    }
  }

  @Test
  void garbageAppendedToTheLastSegmentIsDroppedAsATornTail() throws Exception {
    write(1 << 20, 10);
    Path segment = lastSegment();
    byte[] full = fs.bytes(segment);
    Random random = new Random(42);
    for (int round = 0; round < 50; round++) {
      byte[] garbage = new byte[1 + random.nextInt(300)];
      random.nextBytes(garbage);
      if (round % 5 == 0) {
        Arrays.fill(garbage, (byte) 0); // a zero-filled tail, as after a crash on ext4
      }
      byte[] torn = Arrays.copyOf(full, full.length + garbage.length);
      System.arraycopy(garbage, 0, torn, full.length, garbage.length);
      fs.replaceDurably(segment, torn);
      try (RaftStorage storage = open(1 << 20)) {
        assertThat(storage.recovered().entries()).as("round %d", round)
            .containsExactlyElementsOf(entries(1, 1, 10));
        storage.persist(PersistBatch.entries(entries(1, 11, 11)));
      }
      try (RaftStorage storage = open(1 << 20)) {
        assertThat(storage.recovered().entries()).containsExactlyElementsOf(entries(1, 1, 11));
      }
      fs.replaceDurably(segment, full);
    }
  }

  /** ext4 can persist a file's new length before its data: the log then ends in zeros. */
  @Test
  void aZeroTailEndsTheLogIsCutOffAndTakesNewWrites() throws Exception {
    write(1 << 20, 10);
    Path segment = lastSegment();
    byte[] full = fs.bytes(segment);
    fs.replaceDurably(segment, Arrays.copyOf(full, full.length + 65_536));
    try (RaftStorage storage = open(1 << 20)) {
      assertThat(storage.recovered().entries()).containsExactlyElementsOf(entries(1, 1, 10));
      assertThat(fs.bytes(segment)).as("zeros cut off").isEqualTo(full);
      storage.persist(PersistBatch.entries(entries(1, 11, 11)));
    }
    try (RaftStorage storage = open(1 << 20)) {
      assertThat(storage.recovered().entries()).containsExactlyElementsOf(entries(1, 1, 11));
    }
  }

  /** A torn record, or random garbage, then zeros: both are a torn tail, cut at its start. */
  @Test
  void aTornRecordOrGarbageFollowedByZerosIsATornTail() throws Exception {
    write(1 << 20, 10);
    Path segment = lastSegment();
    byte[] full = fs.bytes(segment);
    SegmentScan scan = SegmentScan.scan("x", full);
    int lastStart = (int) scan.records.get(scan.records.size() - 1).offset();
    for (int cut = lastStart; cut < full.length; cut++) {
      fs.replaceDurably(segment, Arrays.copyOf(Arrays.copyOf(full, cut), full.length + 512));
      try (RaftStorage storage = open(1 << 20)) {
        assertThat(storage.recovered().entries()).as("cut at %d", cut)
            .containsExactlyElementsOf(entries(1, 1, 9));
      }
      assertThat(fs.bytes(segment)).as("cut at %d", cut).hasSize(lastStart);
    }
    Random random = new Random(43);
    for (int round = 0; round < 20; round++) {
      byte[] garbage = new byte[1 + random.nextInt(300)];
      random.nextBytes(garbage);
      byte[] torn = Arrays.copyOf(full, full.length + garbage.length + 4096);
      System.arraycopy(garbage, 0, torn, full.length, garbage.length);
      fs.replaceDurably(segment, torn);
      try (RaftStorage storage = open(1 << 20)) {
        assertThat(storage.recovered().entries()).as("round %d", round)
            .containsExactlyElementsOf(entries(1, 1, 10));
      }
      assertThat(fs.bytes(segment)).as("round %d", round).isEqualTo(full);
    }
  }

  /**
   * Appends never leave a hole before written data (docs/wal-format.md), so a good record
   * after zeros cannot be told from acknowledged records after lost bytes: refuse, as for any
   * bad frame followed by a good one.
   */
  @Test
  void aGoodRecordAfterZerosInTheLastSegmentRefusesToStart() throws Exception {
    write(1 << 20, 10);
    Path segment = lastSegment();
    byte[] full = fs.bytes(segment);
    GrowableBuffer frame = new GrowableBuffer(64);
    RecordCodec.encode(new WalRecord.EntryRecord(Fixtures.entry(1, 11)), frame);
    int frameOffset = full.length + 4096;
    byte[] bytes = Arrays.copyOf(full, frameOffset + frame.position() + 100);
    System.arraycopy(frame.array(), 0, bytes, frameOffset, frame.position());
    fs.replaceDurably(segment, bytes);
    assertThatThrownBy(() -> open(1 << 20)).isInstanceOf(CorruptStorageException.class)
        .hasMessageContaining(segment.getFileName().toString())
        .hasMessageContaining("impossible record length 0")
        .hasMessageContaining("a good record follows at offset " + frameOffset)
        .hasMessageContaining("at offset " + full.length)
        .hasMessageContaining("after index 10");
    assertThat(fs.bytes(segment)).as("refusing to start changes nothing").isEqualTo(bytes);
  }

  @Test
  void aFlippedBitFollowedByGoodRecordsRefusesToStartNamingFileOffsetAndIndex()
      throws Exception {
    write(1 << 20, 10);
    Path segment = lastSegment();
    byte[] bytes = fs.bytes(segment);
    SegmentScan scan = SegmentScan.scan("x", bytes);
    SegmentScan.Found fifth = scan.records.get(5); // header, then entries 1..10
    bytes[(int) fifth.offset() + 12] ^= 0x10;
    fs.replaceDurably(segment, bytes);
    assertThatThrownBy(() -> open(1 << 20))
        .isInstanceOf(CorruptStorageException.class)
        .hasMessageContaining(segment.getFileName().toString())
        .hasMessageContaining("crc mismatch: stored 0x")
        .hasMessageContaining("and a good record follows at offset")
        .hasMessageContaining("at offset " + fifth.offset())
        .hasMessageContaining("after index 4");
    assertThat(fs.bytes(segment)).as("refusing to start changes nothing").isEqualTo(bytes);
  }

  @Test
  void anyDamageInASealedSegmentRefusesToStart() throws Exception {
    write(1024, 200);
    List<String> names = fs.list(WAL_DIR);
    assertThat(names.size()).isGreaterThan(2);
    Path sealed = WAL_DIR.resolve(names.get(0));
    byte[] bytes = fs.bytes(sealed);
    fs.replaceDurably(sealed, Arrays.copyOf(bytes, bytes.length - 3));
    assertThatThrownBy(() -> open(1024)).isInstanceOf(CorruptStorageException.class)
        .hasMessageContaining(names.get(0)).hasMessageContaining("in a sealed segment")
        .hasMessageContaining("runs past the end of the file");
  }

  @Test
  void aMissingMiddleSegmentRefusesToStart() throws Exception {
    write(1024, 200);
    List<String> names = fs.list(WAL_DIR);
    fs.delete(WAL_DIR.resolve(names.get(1)));
    assertThatThrownBy(() -> open(1024)).isInstanceOf(CorruptStorageException.class)
        .hasMessageContaining(names.get(2)).hasMessageContaining("a segment is missing");
  }

  @Test
  void aCorruptSnapshotThatTheLogNeedsRefusesToStart() throws Exception {
    try (RaftStorage storage = open(4096)) {
      storage.persist(PersistBatch.entries(entries(1, 1, 20)));
      storage.compact(new Snapshot(10, 1, Configuration.ofIds(1), new byte[5000]));
    }
    Path snap = Fixtures.SNAP_DIR.resolve(SnapshotFormat.fileName(10, 1));
    byte[] bytes = fs.bytes(snap);
    bytes[bytes.length - 100] ^= 1;
    fs.replaceDurably(snap, bytes);
    assertThatThrownBy(() -> open(4096)).isInstanceOf(CorruptStorageException.class)
        .hasMessageContaining(snap.getFileName().toString())
        .hasMessageContaining("chunk crc mismatch")
        .hasMessageContaining("the log starts after this snapshot");
  }

  @Test
  void aCorruptNewerSnapshotIsReportedAndAnOlderValidOneUsed() throws Exception {
    try (RaftStorage storage = open(4096)) {
      storage.persist(PersistBatch.entries(entries(1, 1, 20)));
      storage.compact(new Snapshot(10, 1, Configuration.ofIds(1), new byte[] {1}));
      storage.snapshots().write(new Snapshot(15, 1, Configuration.ofIds(1), new byte[] {2}));
    }
    Path newer = Fixtures.SNAP_DIR.resolve(SnapshotFormat.fileName(15, 1));
    byte[] bytes = fs.bytes(newer);
    fs.replaceDurably(newer, Arrays.copyOf(bytes, bytes.length - 1));
    try (RaftStorage storage = open(4096)) {
      assertThat(storage.recovered().snapshot().orElseThrow().index()).isEqualTo(10);
      assertThat(storage.recovered().entries()).containsExactlyElementsOf(entries(1, 11, 20));
    }
    assertThatThrownBy(() -> new SnapshotStore(fs, Fixtures.SNAP_DIR, e -> { })
        .verify(newer.getFileName().toString())).isInstanceOf(CorruptStorageException.class)
        .hasMessageContaining("file ends inside");
  }

  @Test
  void bitFlipsOnReadAreCaughtNeverReturnedAsData() {
    write(1 << 20, 30);
    fs.readBitFlipProbability(1.0);
    assertThatThrownBy(() -> open(1 << 20)).isInstanceOf(CorruptStorageException.class);
  }
}
