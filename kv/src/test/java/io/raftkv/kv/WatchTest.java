package io.raftkv.kv;

import static io.raftkv.kv.Fixture.b;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** etcd's Watch service: ordered, complete, bounded, compaction-aware. */
class WatchTest {
  private final Fixture f = new Fixture();
  private final List<Long> woken = new ArrayList<>();
  private final WatchListener listener = w -> woken.add(w.id());

  private static List<String> describe(List<Event> events) {
    return events.stream()
        .map(e -> e.type() + " " + e.kv().key().toStringUtf8() + "@" + e.revision())
        .toList();
  }

  /** Polls until nothing is left, as a consumer does. */
  private static List<Event> drain(Watch w, int perPoll) {
    List<Event> all = new ArrayList<>();
    for (int round = 0; round < 10_000; round++) {
      WatchBatch batch = w.poll(perPoll);
      if (batch.events().isEmpty()) {
        return all;
      }
      all.addAll(batch.events());
    }
    throw new AssertionError("watch " + w.id() + " kept yielding events after 10000 polls");
  }

  @Test
  void liveEventsArriveInOrderWithPrevKvWhenAsked() {
    Watch w = f.store.watch(WatchRequest.prefix(b("k")).withPrevKv(), listener);
    f.put("k1", "a");
    f.put("x", "ignored");
    f.put("k1", "b");
    f.delete("k1");
    List<Event> events = drain(w, 100);
    assertThat(describe(events)).containsExactly("PUT k1@2", "PUT k1@4", "DELETE k1@5");
    assertThat(events.get(0).prevKv()).isEmpty();
    assertThat(events.get(1).prevKv().orElseThrow().value()).isEqualTo(b("a"));
    assertThat(events.get(2).prevKv().orElseThrow().value()).isEqualTo(b("b"));
    assertThat(woken).contains(w.id());
  }

  @Test
  void watchFromAPastRevisionReplaysHistoryThenGoesLive() {
    f.put("a", "1"); // 2
    f.put("b", "1"); // 3
    f.put("a", "2"); // 4
    Watch w = f.store.watch(WatchRequest.key(b("a")).from(3), listener);
    f.put("a", "3"); // 5
    assertThat(describe(drain(w, 100))).containsExactly("PUT a@4", "PUT a@5");
    f.put("a", "4");
    assertThat(describe(drain(w, 100))).containsExactly("PUT a@6");
  }

  @Test
  void eventsOfATxnComeTogetherInWriteOrder() {
    Watch w = f.store.watch(new WatchRequest(b("a"), b("z"), 0, false, false, false), listener);
    f.apply(
        new TxnRequest(
            List.of(),
            List.of(PutRequest.of(b("c"), b("1")), PutRequest.of(b("a"), b("1"))),
            List.of()));
    WatchBatch batch = w.poll(1);
    assertThat(describe(batch.events())).containsExactly("PUT c@2", "PUT a@2");
  }

  @Test
  void aSlowWatcherFallsBehindThenCatchesUpWithoutGapsOrRepeats() {
    KvLimits small = new KvLimits(1 << 20, 128, 16, 2, 100, 4);
    Fixture tiny = new Fixture(small);
    Watch w = tiny.store.watch(WatchRequest.prefix(b("k")), listener);
    for (int i = 0; i < 50; i++) {
      tiny.put("k" + (i % 7), "v" + i);
    }
    List<Event> events = drain(w, 3);
    assertThat(events)
        .extracting(Event::revision)
        .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(2, 51).boxed().toList());
    tiny.put("k1", "after");
    assertThat(describe(drain(w, 3))).containsExactly("PUT k1@52");
  }

  @Test
  void aWatchWhoseStartWasCompactedIsCanceledWithTheCompactRevision() {
    f.put("a", "1");
    f.put("a", "2");
    f.put("a", "3");
    f.apply(new CompactRequest(3));
    Watch w = f.store.watch(WatchRequest.key(b("a")).from(2), listener);
    WatchBatch batch = w.poll(10);
    assertThat(batch.canceled()).isTrue();
    assertThat(batch.compactRevision()).isEqualTo(3);
    assertThat(w.isCanceled()).isTrue();
    assertThat(f.store.watchCount()).isZero();
    Watch atCompact = f.store.watch(WatchRequest.key(b("a")).from(3), listener);
    assertThat(describe(drain(atCompact, 10))).containsExactly("PUT a@3", "PUT a@4");
  }

  @Test
  void aLaggingWatcherOvertakenByCompactionIsToldSo() {
    KvLimits small = new KvLimits(1 << 20, 128, 16, 2, 100, 1);
    Fixture tiny = new Fixture(small);
    Watch w = tiny.store.watch(WatchRequest.key(b("a")), listener);
    tiny.put("a", "1");
    tiny.put("a", "2"); // falls behind at 3
    tiny.put("a", "3");
    tiny.apply(new CompactRequest(4));
    assertThat(w.poll(10).events()).hasSize(1);
    WatchBatch next = w.poll(10);
    assertThat(next.canceled()).isTrue();
    assertThat(next.compactRevision()).isEqualTo(4);
  }

  @Test
  void filtersAndFutureStart() {
    Watch noPut =
        f.store.watch(new WatchRequest(b("a"), Bytes.empty(), 0, false, true, false), listener);
    Watch future = f.store.watch(WatchRequest.key(b("a")).from(4), listener);
    f.put("a", "1"); // 2
    f.put("a", "2"); // 3
    f.delete("a"); // 4
    assertThat(describe(drain(noPut, 10))).containsExactly("DELETE a@4");
    assertThat(describe(drain(future, 10))).containsExactly("DELETE a@4");
  }

  @Test
  void badWatchRequestsAreRefused() {
    assertThatThrownBy(
            () -> f.store.watch(new WatchRequest(b("b"), b("a"), 0, false, false, false), listener))
        .isInstanceOfSatisfying(
            KvException.class, e -> assertThat(e.code()).isEqualTo(KvErrorCode.EMPTY_WATCH_RANGE));
    assertThatThrownBy(() -> f.store.watch(WatchRequest.key(Bytes.empty()), listener))
        .isInstanceOf(KvException.class);
  }

  @Test
  void canceledWatchGetsNothingMore() {
    Watch w = f.store.watch(WatchRequest.key(b("a")), listener);
    w.cancel();
    f.put("a", "1");
    WatchBatch batch = w.poll(10);
    assertThat(batch.canceled()).isTrue();
    assertThat(batch.events()).isEmpty();
  }
}
