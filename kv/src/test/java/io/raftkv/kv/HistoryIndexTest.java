package io.raftkv.kv;

import static io.raftkv.kv.Fixture.b;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * The hash index beside the ordered one, and compaction in slices: keys deleted and recreated
 * across compactions, passes interleaved with writes, paused by snapshots, overtaken by a second
 * compaction, and stores restored from snapshots, all read exactly like a store that compacts in
 * one pass.
 */
class HistoryIndexTest {
  private static final Bytes ALL = Bytes.copyOf(new byte[] {0});

  private static Fixture sliced(int keysMax) {
    return new Fixture(KvLimits.defaults().withCompactionSliceKeysMax(keysMax));
  }

  @Test
  void aKeyCompactedAwayAndWrittenAgainStartsAFreshHistory() {
    Fixture f = new Fixture();
    f.put("a", "1");
    f.put("a", "2");
    f.delete("a");
    f.put("b", "1");
    f.apply(new CompactRequest(f.store.revision()));
    assertThat(f.store.keyCount()).as("a's chain is gone").isEqualTo(1);
    f.store.checkIndexesAgree();
    long revision = f.put("a", "3").revision();
    KeyValue a = f.kv("a");
    assertThat(a.version()).isEqualTo(1);
    assertThat(a.createRevision()).isEqualTo(revision);
    assertThat(Fixture.keys(f.store.range(RangeRequest.range(b("a"), ALL))))
        .containsExactly("a", "b");
    f.delete("a");
    f.put("a", "4");
    assertThat(f.kv("a").version()).as("recreated after a delete, not compacted").isEqualTo(1);
    f.store.checkIndexesAgree();
  }

  @Test
  void aPassInSlicesSpansAppliesAndEndsWithTheSameKeysAsOnePass() {
    Fixture f = sliced(3);
    for (int i = 0; i < 20; i++) {
      f.put("k" + (char) ('a' + i), "1");
      f.put("k" + (char) ('a' + i), "2");
    }
    for (int i = 0; i < 20; i += 2) {
      f.delete("k" + (char) ('a' + i));
    }
    f.put("z", "1");
    f.apply(new CompactRequest(f.store.revision()));
    assertThat(f.store.keyCount()).as("first slice: ka kb kc, 2 deleted").isEqualTo(19);
    f.put("z", "2");
    assertThat(f.store.keyCount()).as("second slice: kd ke kf, 1 deleted").isEqualTo(18);
    for (int i = 0; i < 10; i++) {
      f.put("z", "x" + i);
      f.store.checkIndexesAgree();
    }
    f.apply(new CompactRequest(f.store.revision()));
    for (int i = 0; i < 10; i++) {
      f.put("y", "x" + i);
    }
    assertThat(f.store.keyCount()).as("10 deleted keys dropped").isEqualTo(12);
    f.store.checkIndexesAgree();
  }

  /** Random writes and compactions, slices of 1 key, snapshots held open at random. */
  @Property(tries = 100)
  void slicedCompactionReadsLikeOnePass(@ForAll long seed) throws IOException {
    Random r = new Random(seed);
    KvStore sliced = new KvStore(KvLimits.defaults().withCompactionSliceKeysMax(1));
    KvStore whole = new KvStore(KvLimits.defaults().withCompactionSliceKeysMax(1 << 20));
    List<KvSnapshot> open = new ArrayList<>();
    long[] leases = {0};
    for (int step = 1; step <= 150; step++) {
      String where = "seed " + seed + " step " + step;
      Request request =
          r.nextInt(10) == 0 && sliced.revision() > sliced.compactRevision() + 1
              ? new CompactRequest(
                  sliced.compactRevision()
                      + 1
                      + r.nextInt((int) (sliced.revision() - sliced.compactRevision())))
              : Generators.request(r, sliced.revision(), leases);
      byte[] command = CommandCodec.encode(Command.of(request));
      assertThat(sliced.apply(step, command)).as(where).isEqualTo(whole.apply(step, command));
      sliced.checkIndexesAgree();
      if (r.nextInt(8) == 0) {
        open.add(sliced.snapshot());
      }
      if (!open.isEmpty() && r.nextInt(4) == 0) {
        KvSnapshot s = open.remove(r.nextInt(open.size()));
        KvStore restored = SnapshotTest.restore(bytes(s));
        restored.checkIndexesAgree();
        assertSameReads(restored, sliced, s.revision(), where + " restored");
      }
      assertSameReads(sliced, whole, sliced.revision(), where);
    }
    open.forEach(KvSnapshot::close);
  }

  private static byte[] bytes(KvSnapshot s) throws IOException {
    try (s) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      s.writeTo(out);
      return out.toByteArray();
    }
  }

  private static void assertSameReads(
      KvStore actual, KvStore expected, long revision, String where) {
    for (long rev = Math.max(1, expected.compactRevision()); rev <= revision; rev++) {
      RangeRequest all = RangeRequest.range(b("a"), ALL).atRevision(rev);
      assertThat(actual.range(all).kvs())
          .as(where + " at " + rev)
          .isEqualTo(expected.range(all).kvs());
    }
  }

  @Test
  void aRestoredStoreWritesExistingKeysThroughTheHashIndex() throws IOException {
    Fixture f = new Fixture();
    f.put("a", "1");
    f.put("b", "1");
    f.delete("b");
    KvStore restored = SnapshotTest.restore(SnapshotTest.write(f.store));
    restored.checkIndexesAgree();
    restored.apply(f.nextIndex(), CommandCodec.encode(Command.of(PutRequest.of(b("a"), b("2")))));
    restored.apply(
        f.nextIndex() + 1, CommandCodec.encode(Command.of(PutRequest.of(b("b"), b("2")))));
    List<KeyValue> kvs = restored.range(RangeRequest.range(b("a"), ALL)).kvs();
    assertThat(kvs).extracting(KeyValue::version).containsExactly(2L, 1L);
    assertThat(restored.keyCount()).isEqualTo(2);
    restored.checkIndexesAgree();
  }
}
