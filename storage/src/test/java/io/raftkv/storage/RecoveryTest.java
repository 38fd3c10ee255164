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
  void cutAtEveryByteOfTheLastBatchKeepsEveryEntryBeforeIt() throws Exception {
    write(1 << 20, 10);
    Path segment = lastSegment();
    byte[] full = fs.bytes(segment);
    SegmentScan scan = SegmentScan.scan("x", full);
    int lastStart = lastBatch(scan);
    for (int cut = lastStart; cut < scan.end; cut++) {
      fs.replaceDurably(segment, Arrays.copyOf(full, cut));
      try (RaftStorage storage = open(1 << 20)) {
        assertThat(storage.recovered().entries())
            .as("cut at %d", cut)
            .containsExactlyElementsOf(entries(1, 1, 9));
      }
      assertCutAt(segment, lastStart, cut);
    }
  }

  /** The torn part is gone: the records end cleanly at {@code end} (zeros may follow). */
  private void assertCutAt(Path segment, int end, int cut) throws Exception {
    SegmentScan repaired = SegmentScan.scan("x", fs.bytes(segment));
    assertThat(repaired.clean()).as("clean after the cut at %d", cut).isTrue();
    assertThat(repaired.end).as("records end after the cut at %d", cut).isEqualTo(end);
  }

  private static int lastBatch(SegmentScan scan) {
    return scan.batchOffsets.get(scan.batchOffsets.size() - 1).intValue();
  }

  /** The records' end: what is after it in a fresh segment is preallocated zeros. */
  private byte[] records(Path segment) throws Exception {
    byte[] bytes = fs.bytes(segment);
    return Arrays.copyOf(bytes, (int) SegmentScan.scan("x", bytes).end);
  }

  @Test
  void garbageAfterTheLastBatchIsDroppedAsATornTail() throws Exception {
    write(1 << 20, 10);
    Path segment = lastSegment();
    byte[] full = records(segment);
    Random random = new Random(42);
    for (int round = 0; round < 50; round++) {
      byte[] garbage = new byte[1 + random.nextInt(300)];
      random.nextBytes(garbage);
      garbage[0] |= 1; // zeros would be preallocated space, not garbage
      byte[] torn = Arrays.copyOf(full, full.length + garbage.length);
      System.arraycopy(garbage, 0, torn, full.length, garbage.length);
      fs.replaceDurably(segment, torn);
      try (RaftStorage storage = open(1 << 20)) {
        assertThat(storage.recovered().entries())
            .as("round %d", round)
            .containsExactlyElementsOf(entries(1, 1, 10));
        storage.persist(PersistBatch.entries(entries(1, 11, 11)));
      }
      try (RaftStorage storage = open(1 << 20)) {
        assertThat(storage.recovered().entries()).containsExactlyElementsOf(entries(1, 1, 11));
      }
      fs.replaceDurably(segment, full);
    }
  }

  /**
   * Zeros after the records are preallocated space (or what ext4 leaves when a file's new length
   * reached the disk before its data): the log ends there, the zeros stay, and the next batch is
   * written over them.
   */
  @Test
  void zerosAfterTheRecordsEndTheLogAndTheNextBatchGoesOverThem() throws Exception {
    write(1 << 20, 10);
    Path segment = lastSegment();
    byte[] preallocated = fs.bytes(segment);
    byte[] full = records(segment);
    assertThat(preallocated.length).as("the segment is preallocated").isEqualTo(1 << 20);
    for (byte[] bytes : List.of(preallocated, Arrays.copyOf(full, full.length + 65_536))) {
      fs.replaceDurably(segment, bytes);
      try (RaftStorage storage = open(1 << 20)) {
        assertThat(storage.recovered().entries()).containsExactlyElementsOf(entries(1, 1, 10));
        assertThat(fs.bytes(segment)).as("zeros kept").isEqualTo(bytes);
        storage.persist(PersistBatch.entries(entries(1, 11, 11)));
        assertThat(fs.bytes(segment)).as("written over the zeros").hasSize(bytes.length);
      }
      try (RaftStorage storage = open(1 << 20)) {
        assertThat(storage.recovered().entries()).containsExactlyElementsOf(entries(1, 1, 11));
      }
    }
  }

  /** A torn batch, or random garbage, then zeros: both are a torn tail, cut at its start. */
  @Test
  void aTornBatchOrGarbageFollowedByZerosIsATornTail() throws Exception {
    write(1 << 20, 10);
    Path segment = lastSegment();
    byte[] full = records(segment);
    int lastStart = lastBatch(SegmentScan.scan("x", full));
    for (int cut = lastStart; cut < full.length; cut++) {
      fs.replaceDurably(segment, Arrays.copyOf(Arrays.copyOf(full, cut), full.length + 512));
      try (RaftStorage storage = open(1 << 20)) {
        assertThat(storage.recovered().entries())
            .as("cut at %d", cut)
            .containsExactlyElementsOf(entries(1, 1, 9));
      }
      assertCutAt(segment, lastStart, cut);
    }
    Random random = new Random(43);
    for (int round = 0; round < 20; round++) {
      byte[] garbage = new byte[1 + random.nextInt(300)];
      random.nextBytes(garbage);
      garbage[0] |= 1;
      byte[] torn = Arrays.copyOf(full, full.length + garbage.length + 4096);
      System.arraycopy(garbage, 0, torn, full.length, garbage.length);
      fs.replaceDurably(segment, torn);
      try (RaftStorage storage = open(1 << 20)) {
        assertThat(storage.recovered().entries())
            .as("round %d", round)
            .containsExactlyElementsOf(entries(1, 1, 10));
      }
      assertThat(fs.bytes(segment)).as("round %d", round).isEqualTo(full);
    }
  }

  /**
   * Over preallocated zeros a crash can keep a batch's later pages and lose its first: its records
   * then sit after zeros, whole and CRC-valid. They are not a good batch (its frame is gone), so
   * this is a torn tail, and the acknowledged batches before it are all kept.
   */
  @Test
  void aBatchWhoseFirstPageWasLostIsATornTailNotCorruption() throws Exception {
    write(1 << 20, 10);
    try (RaftStorage storage = open(1 << 20)) {
      storage.persist(
          PersistBatch.entries(
              List.of(
                  Fixtures.entry(1, 11, new byte[3000]),
                  Fixtures.entry(1, 12, new byte[3000]),
                  Fixtures.entry(1, 13, new byte[3000]))));
    }
    Path segment = lastSegment();
    byte[] bytes = fs.bytes(segment);
    SegmentScan scan = SegmentScan.scan("x", bytes);
    int lastStart = lastBatch(scan);
    int pageEnd = (lastStart / 4096 + 1) * 4096;
    Arrays.fill(bytes, lastStart, pageEnd, (byte) 0);
    assertThat(SegmentScan.scan("y", bytes).records.size()).isEqualTo(scan.records.size() - 3);
    fs.replaceDurably(segment, bytes);
    try (RaftStorage storage = open(1 << 20)) {
      assertThat(storage.recovered().entries()).containsExactlyElementsOf(entries(1, 1, 10));
    }
  }

  /**
   * A good batch after zeros is not something a crash leaves (only the one batch in flight can be
   * torn, and nothing is written after it), so it cannot be told from acknowledged records after
   * lost bytes: refuse, as for any bad frame followed by a good batch.
   */
  @Test
  void aGoodBatchAfterZerosInTheLastSegmentRefusesToStart() throws Exception {
    write(1 << 20, 10);
    Path segment = lastSegment();
    byte[] full = records(segment);
    GrowableBuffer batch = new GrowableBuffer(64);
    RecordCodec.beginBatch(batch);
    RecordCodec.encode(new WalRecord.EntryRecord(Fixtures.entry(1, 11)), batch);
    RecordCodec.endBatch(batch);
    int frameOffset = full.length + 4096;
    byte[] bytes = Arrays.copyOf(full, frameOffset + batch.position() + 100);
    System.arraycopy(batch.array(), 0, bytes, frameOffset, batch.position());
    fs.replaceDurably(segment, bytes);
    assertThatThrownBy(() -> open(1 << 20))
        .isInstanceOf(CorruptStorageException.class)
        .hasMessageContaining(segment.getFileName().toString())
        .hasMessageContaining("impossible record length 0")
        .hasMessageContaining("a good batch follows at offset " + frameOffset)
        .hasMessageContaining("at offset " + full.length)
        .hasMessageContaining("after index 10");
    assertThat(fs.bytes(segment)).as("refusing to start changes nothing").isEqualTo(bytes);
  }

  @Test
  void aFlippedBitFollowedByGoodBatchesRefusesToStartNamingFileOffsetAndIndex() throws Exception {
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
        .hasMessageContaining("and a good batch follows at offset")
        .hasMessageContaining("at offset " + scan.batchOffsets.get(4))
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
    fs.replaceDurably(sealed, Arrays.copyOf(bytes, (int) SegmentScan.scan("x", bytes).end - 3));
    assertThatThrownBy(() -> open(1024))
        .isInstanceOf(CorruptStorageException.class)
        .hasMessageContaining(names.get(0))
        .hasMessageContaining("in a sealed segment")
        .hasMessageContaining("runs past the end of the file");
  }

  @Test
  void aMissingMiddleSegmentRefusesToStart() throws Exception {
    write(1024, 200);
    List<String> names = fs.list(WAL_DIR);
    fs.delete(WAL_DIR.resolve(names.get(1)));
    assertThatThrownBy(() -> open(1024))
        .isInstanceOf(CorruptStorageException.class)
        .hasMessageContaining(names.get(2))
        .hasMessageContaining("a segment is missing");
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
    assertThatThrownBy(() -> open(4096))
        .isInstanceOf(CorruptStorageException.class)
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
    assertThatThrownBy(
            () ->
                new SnapshotStore(fs, Fixtures.SNAP_DIR, e -> {})
                    .verify(newer.getFileName().toString()))
        .isInstanceOf(CorruptStorageException.class)
        .hasMessageContaining("file ends inside");
  }

  /** Without preallocation, so that every flip lands in records rather than in spare zeros. */
  @Test
  void bitFlipsOnReadAreCaughtNeverReturnedAsData() {
    try (RaftStorage storage =
        RaftStorage.open(fs, DIR, options(1 << 20).withPreallocateBytes(0))) {
      for (long i = 1; i <= 30; i++) {
        storage.persist(PersistBatch.entries(entries(1, i, i)));
      }
    }
    fs.readBitFlipProbability(1.0);
    assertThatThrownBy(() -> open(1 << 20)).isInstanceOf(CorruptStorageException.class);
  }
}
