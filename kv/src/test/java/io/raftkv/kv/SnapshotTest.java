package io.raftkv.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** restore(snapshot(s)) answers every read, retry and later command like s. */
class SnapshotTest {
  private static final long[] LEASES = {0, 1, 2, 3};
  private static final Bytes ALL = Bytes.copyOf(new byte[] {0});

  static byte[] write(KvStore store) {
    try (KvSnapshot snapshot = store.snapshot()) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      snapshot.writeTo(out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static KvStore restore(byte[] bytes) throws IOException {
    return KvStore.restore(new ByteArrayInputStream(bytes), ModelPropertyTest.LIMITS);
  }

  @Property(tries = 100)
  void restoredStoreBehavesLikeTheOriginal(@ForAll long seed) throws IOException {
    Random r = new Random(seed);
    KvStore original = new KvStore(ModelPropertyTest.LIMITS);
    long index = 0;
    List<Long> clients = new ArrayList<>();
    List<Command> sent = new ArrayList<>();
    for (int step = 0; step < 10 + r.nextInt(60); step++) {
      Command command = nextCommand(r, original, clients, sent, index + 1);
      Response response = original.apply(++index, CommandCodec.encode(command));
      if (response instanceof SessionOpenResponse open) {
        clients.add(open.clientId());
      }
    }
    KvStore restored = restore(write(original));
    String where = "seed " + seed;
    assertThat(restored.appliedIndex()).as(where).isEqualTo(original.appliedIndex());
    assertThat(restored.revision()).as(where).isEqualTo(original.revision());
    assertThat(restored.compactRevision()).as(where).isEqualTo(original.compactRevision());
    assertThat(restored.leases()).as(where).isEqualTo(original.leases());
    for (long rev = Math.max(1, original.compactRevision()); rev <= original.revision(); rev++) {
      RangeRequest all = RangeRequest.range(Fixture.b("a"), ALL).atRevision(rev);
      assertThat(restored.range(all)).as(where + " at " + rev).isEqualTo(original.range(all));
    }
    assertThat(watchAll(restored)).as(where).isEqualTo(watchAll(original));
    for (int step = 0; step < 30; step++) {
      Command command = nextCommand(r, original, clients, sent, index + 1);
      index++;
      Response expected = original.apply(index, CommandCodec.encode(command));
      Response actual = restored.apply(index, CommandCodec.encode(command));
      assertThat(actual)
          .as(where + " after restore, step " + step + " " + command)
          .isEqualTo(expected);
    }
  }

  /** Mostly plain requests, some session writes, some retries of earlier session writes. */
  private static Command nextCommand(
      Random r, KvStore store, List<Long> clients, List<Command> sent, long index) {
    int kind = r.nextInt(10);
    if (kind == 0) {
      return Command.of(new SessionOpenRequest());
    }
    if (kind == 1 && !sent.isEmpty()) {
      return sent.get(r.nextInt(sent.size()));
    }
    Request request = Generators.request(r, store.revision(), LEASES);
    if (kind < 5 && !clients.isEmpty()) {
      long client = clients.get(r.nextInt(clients.size()));
      Command command = new Command(client, index, request);
      sent.add(command);
      return command;
    }
    return Command.of(request);
  }

  private static List<Event> watchAll(KvStore store) {
    long from = Math.max(1, store.compactRevision());
    Watch w =
        store.watch(
            new WatchRequest(Fixture.b("a"), ALL, from, true, false, false), WatchListener.NONE);
    List<Event> events = new ArrayList<>();
    for (int round = 0; round < 10_000; round++) {
      WatchBatch batch = w.poll(7);
      if (batch.events().isEmpty()) {
        return events;
      }
      events.addAll(batch.events());
    }
    throw new AssertionError("watch did not drain");
  }

  @Test
  void aSnapshotWrittenWhileApplyingShowsExactlyItsRevision() throws Exception {
    KvStore store = new KvStore(KvLimits.defaults());
    long index = 0;
    for (int i = 0; i < 20_000; i++) {
      store.apply(
          ++index, Command.of(PutRequest.of(Fixture.b("k" + (i % 5000)), Fixture.b("v" + i))));
    }
    long revision = store.revision();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    KvSnapshot snapshot = store.snapshot();
    CompletableFuture<Void> writing =
        CompletableFuture.runAsync(
            () -> {
              try {
                snapshot.writeTo(out);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    for (int i = 0; i < 20_000; i++) {
      store.apply(
          ++index, Command.of(PutRequest.of(Fixture.b("k" + (i % 7000)), Fixture.b("w" + i))));
    }
    store.apply(++index, Command.of(new CompactRequest(store.revision())));
    writing.get();
    snapshot.close();
    KvStore restored =
        KvStore.restore(new ByteArrayInputStream(out.toByteArray()), KvLimits.defaults());
    assertThat(restored.revision()).isEqualTo(revision);
    RangeRequest all = RangeRequest.range(Fixture.b("a"), ALL);
    RangeResponse expected = NaiveKv.range(new java.util.TreeMap<>(), all, 0);
    assertThat(restored.range(all).count()).isEqualTo(5000);
    assertThat(restored.range(RangeRequest.of(Fixture.b("k4999"))).kvs().get(0).value())
        .isEqualTo(Fixture.b("v19999"));
    assertThat(restored.range(RangeRequest.of(Fixture.b("k6000"))).kvs()).isEmpty();
    assertThat(expected.kvs()).isEmpty();
  }

  @Test
  void corruptOrTruncatedSnapshotsAreRefusedWithTheOffset() {
    Fixture f = new Fixture();
    for (int i = 0; i < 100; i++) {
      f.put("k" + i, "v" + i);
    }
    byte[] good = write(f.store);
    Random r = new Random(42);
    for (int trial = 0; trial < 200; trial++) {
      byte[] bad = good.clone();
      bad[r.nextInt(bad.length)] ^= (byte) (1 + r.nextInt(255));
      assertThatThrownBy(() -> restore(bad))
          .as("trial %d", trial)
          .isInstanceOf(MalformedSnapshotException.class)
          .hasMessageContaining("offset");
    }
    assertThatThrownBy(() -> restore(Arrays.copyOf(good, good.length - 5)))
        .isInstanceOf(MalformedSnapshotException.class);
    assertThatThrownBy(() -> restore(Arrays.copyOf(good, good.length + 1)))
        .hasMessageContaining("bytes after the checksum");
  }
}
