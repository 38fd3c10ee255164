package io.raftkv.kv;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Random command sequences against {@link NaiveKv}: every response, every read at every revision
 * since compaction, every watch stream and the lease table must agree. jqwik prints the seed of a
 * failing sequence; every assertion names the seed and step too.
 */
class ModelPropertyTest {
  /** Compaction slices of 2 keys: passes span several applies, interleaved with writes. */
  static final KvLimits LIMITS = new KvLimits(1 << 20, 128, 16, 2, 100, 3, 2);

  private static final long[] LEASES = {0, 1, 2, 3};
  private static final Bytes ALL = Bytes.copyOf(new byte[] {0});

  /** A watch registered mid-run and everything it delivered. */
  private static final class Probe {
    final Watch watch;
    final WatchRequest request;
    final long firstRevision;
    final List<Event> delivered = new ArrayList<>();
    long compactRevision;

    Probe(KvStore store, WatchRequest request) {
      this.request = request;
      this.watch = store.watch(request, WatchListener.NONE);
      this.firstRevision =
          request.startRevision() <= 0 ? store.revision() + 1 : request.startRevision();
    }

    boolean poll(int eventsMax) {
      WatchBatch batch = watch.poll(eventsMax);
      delivered.addAll(batch.events());
      if (batch.compactRevision() > 0) {
        compactRevision = batch.compactRevision();
      }
      return !batch.events().isEmpty();
    }
  }

  @Property(tries = 150)
  void storeAgreesWithNaiveModel(@ForAll long seed) {
    Random r = new Random(seed);
    KvStore store = new KvStore(LIMITS);
    NaiveKv model = new NaiveKv(LIMITS);
    List<Probe> probes = new ArrayList<>();
    int steps = 20 + r.nextInt(80);
    for (int step = 1; step <= steps; step++) {
      if (r.nextInt(8) == 0) {
        probes.add(new Probe(store, randomWatch(r, store.revision())));
      }
      Request request = Generators.request(r, model.revision(), LEASES);
      Response expected = model.apply(request);
      Response actual = store.apply(step, CommandCodec.encode(Command.of(request)));
      assertSameResponse(actual, expected, "seed " + seed + " step " + step + " " + request);
      store.checkIndexesAgree();
      for (Probe p : probes) {
        if (r.nextInt(3) == 0) {
          p.poll(1 + r.nextInt(4));
        }
      }
    }
    String where = "seed " + seed + " after " + steps + " steps";
    assertReadsAgree(store, model, where);
    assertThat(store.leases()).as(where).isEqualTo(model.leases());
    for (Probe p : probes) {
      for (int round = 0; round < 1000 && p.poll(1 + r.nextInt(4)); round++) {
        // drain
      }
      assertWatchAgrees(p, model, where + " watch " + p.request);
    }
  }

  private static WatchRequest randomWatch(Random r, long revision) {
    Bytes key = Generators.key(r);
    long start = r.nextInt(3) == 0 ? 0 : 1 + r.nextInt((int) revision + 2);
    return new WatchRequest(
        key,
        Generators.rangeEnd(r, Fixture.b("f")).equals(Bytes.empty()) ? Bytes.empty() : ALL,
        start,
        r.nextBoolean(),
        r.nextInt(5) == 0,
        r.nextInt(5) == 0);
  }

  static void assertSameResponse(Response actual, Response expected, String where) {
    if (expected instanceof ErrorResponse e) {
      assertThat(actual).as(where).isInstanceOf(ErrorResponse.class);
      assertThat(((ErrorResponse) actual).code()).as(where).isEqualTo(e.code());
      assertThat(actual.revision()).as(where).isEqualTo(e.revision());
    } else {
      assertThat(actual).as(where).isEqualTo(expected);
    }
  }

  static void assertReadsAgree(KvStore store, NaiveKv model, String where) {
    assertThat(store.revision()).as(where).isEqualTo(model.revision());
    assertThat(store.compactRevision()).as(where).isEqualTo(model.compactRevision);
    for (long rev = Math.max(1, model.compactRevision); rev <= model.revision(); rev++) {
      RangeRequest all = RangeRequest.range(Fixture.b("a"), ALL).atRevision(rev);
      assertThat(store.range(all))
          .as(where + " read at " + rev)
          .isEqualTo(NaiveKv.range(model.at(rev), all, model.revision()));
    }
  }

  private static void assertWatchAgrees(Probe p, NaiveKv model, String where) {
    KeyRange range = KeyRange.of(p.request.key(), p.request.rangeEnd());
    List<Event> expected = new ArrayList<>();
    for (Event e : model.events) {
      boolean wanted = e.type() == Event.Type.PUT ? !p.request.noPut() : !p.request.noDelete();
      if (e.revision() >= p.firstRevision && wanted && range.contains(e.kv().key().array())) {
        expected.add(comparable(e, p.request.prevKv(), model.compactRevision));
      }
    }
    List<Event> delivered =
        p.delivered.stream()
            .map(e -> comparable(e, p.request.prevKv(), model.compactRevision))
            .toList();
    if (p.compactRevision > 0) {
      assertThat(p.watch.isCanceled()).as(where).isTrue();
      assertThat(expected.subList(0, Math.min(delivered.size(), expected.size())))
          .as(where + " (canceled by compaction at " + p.compactRevision + ")")
          .isEqualTo(delivered);
      assertThat(p.compactRevision).as(where).isLessThanOrEqualTo(model.compactRevision);
    } else {
      assertThat(delivered).as(where).isEqualTo(expected);
    }
  }

  /** prevKv at or below a compaction may be gone (etcd too): compare it only above. */
  private static Event comparable(Event e, boolean prevKv, long compactRevision) {
    boolean keep = prevKv && e.revision() > compactRevision;
    return new Event(e.type(), e.kv(), keep ? e.prevKv() : Optional.empty());
  }
}
