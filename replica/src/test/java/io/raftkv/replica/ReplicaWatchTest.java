package io.raftkv.replica;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkv.kv.Bytes;
import io.raftkv.kv.Command;
import io.raftkv.kv.CompactRequest;
import io.raftkv.kv.Event;
import io.raftkv.kv.PutRequest;
import io.raftkv.kv.Response;
import io.raftkv.kv.WatchRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Watch streams served from a replica's applied state, on a deterministic loop. */
class ReplicaWatchTest {
  private static final Duration SECOND = Duration.ofSeconds(1);
  private static final WatchRequest ALL_K = WatchRequest.prefix(Bytes.utf8("k"));

  /** What one stream delivered, and how it ended. */
  private static final class Recorder implements WatchObserver {
    final List<Event> events = new ArrayList<>();
    WatchEnd end;

    @Override
    public void onEvents(List<Event> batch) {
      assertThat(end).as("events after the end").isNull();
      events.addAll(batch);
    }

    @Override
    public void onEnd(WatchEnd watchEnd) {
      assertThat(end).as("a second end").isNull();
      end = watchEnd;
    }

    List<String> values() {
      return events.stream().map(e -> e.kv().value().toStringUtf8()).toList();
    }

    List<Long> revisions() {
      return events.stream().map(Event::revision).toList();
    }
  }

  private static long put(LocalCluster cluster, Replica leader, String key, String value) {
    CompletableFuture<Response> write =
        leader.write(Command.of(PutRequest.of(Bytes.utf8(key), Bytes.utf8(value))));
    cluster.runUntil("the write is acknowledged", write::isDone, SECOND);
    return write.join().revision();
  }

  /** Values v{from}..v{to}, what {@code put(..., "v" + i)} wrote. */
  private static List<String> values(int from, int to) {
    List<String> values = new ArrayList<>();
    for (int i = from; i <= to; i++) {
      values.add("v" + i);
    }
    return values;
  }

  @Test
  void watchFromTheCurrentRevisionSeesLaterWritesInOrder_onAFollower() {
    LocalCluster cluster = new LocalCluster(3, c -> c);
    Replica leader = cluster.awaitLeader();
    put(cluster, leader, "k0", "before");
    cluster.run(Duration.ofMillis(50));
    Recorder seen = new Recorder();
    cluster.follower().watch(ALL_K, seen);
    cluster.run(Duration.ofMillis(10));
    long first = 0;
    for (int i = 1; i <= 5; i++) {
      long revision = put(cluster, leader, "k" + (i % 2), "v" + i);
      first = first == 0 ? revision : first;
    }
    cluster.runUntil("the follower delivers 5 events", () -> seen.events.size() >= 5, SECOND);
    assertThat(seen.values()).containsExactlyElementsOf(values(1, 5));
    assertThat(seen.revisions()).containsExactly(first, first + 1, first + 2, first + 3, first + 4);
    assertThat(seen.end).isNull();
  }

  @Test
  void watchFromAPastRevisionReplaysHistoryThenFollows() {
    LocalCluster cluster = new LocalCluster(3, c -> c);
    Replica leader = cluster.awaitLeader();
    long first = put(cluster, leader, "k1", "v1");
    for (int i = 2; i <= 4; i++) {
      put(cluster, leader, "k" + i, "v" + i);
    }
    Recorder seen = new Recorder();
    leader.watch(ALL_K.from(first + 1), seen);
    cluster.runUntil("history replayed", () -> seen.events.size() >= 3, SECOND);
    put(cluster, leader, "k5", "v5");
    cluster.runUntil("the new write delivered", () -> seen.events.size() >= 4, SECOND);
    assertThat(seen.values()).containsExactlyElementsOf(values(2, 5));
    assertThat(seen.revisions()).isSorted().doesNotHaveDuplicates();
  }

  @Test
  void watchFromACompactedRevisionEndsWithTheCompactRevision() {
    LocalCluster cluster = new LocalCluster(3, c -> c);
    Replica leader = cluster.awaitLeader();
    long first = put(cluster, leader, "k1", "v1");
    put(cluster, leader, "k1", "v2");
    long third = put(cluster, leader, "k1", "v3");
    put(cluster, leader, "k1", "v4");
    CompletableFuture<Response> compact = leader.write(Command.of(new CompactRequest(third)));
    cluster.runUntil("compacted", compact::isDone, SECOND);
    Recorder seen = new Recorder();
    leader.watch(ALL_K.from(first), seen);
    cluster.runUntil("the stream ends", () -> seen.end != null, SECOND);
    assertThat(seen.events).isEmpty();
    assertThat(seen.end.reason()).isEqualTo(WatchEnd.Reason.COMPACTED);
    assertThat(seen.end.compactRevision()).isEqualTo(third);
    // Resuming where the error says works and replays what is left.
    Recorder resumed = new Recorder();
    leader.watch(ALL_K.from(seen.end.compactRevision()), resumed);
    cluster.runUntil("the rest replayed", () -> resumed.events.size() >= 2, SECOND);
    assertThat(resumed.values()).containsExactly("v3", "v4");
  }

  @Test
  void stoppedReplicaEndsItsStreams() {
    LocalCluster cluster = new LocalCluster(3, c -> c);
    Replica leader = cluster.awaitLeader();
    Replica follower = cluster.follower();
    Recorder seen = new Recorder();
    follower.watch(ALL_K, seen);
    cluster.run(Duration.ofMillis(10));
    assertThat(follower.status().watches().openCount()).isEqualTo(1);
    cluster.stop(follower.id());
    assertThat(seen.end).isNotNull();
    assertThat(seen.end.reason()).isEqualTo(WatchEnd.Reason.STOPPED);
    assertThat(seen.end.message()).contains(follower.id() + ": stopped");
    assertThat(follower.status().watches().openCount()).isZero();
    Recorder late = new Recorder();
    follower.watch(ALL_K, late);
    put(cluster, leader, "k1", "v1");
    assertThat(late.end.reason()).isEqualTo(WatchEnd.Reason.STOPPED);
  }

  @Test
  void canceledStreamEndsAndHearsNoMore() {
    LocalCluster cluster = new LocalCluster(3, c -> c);
    Replica leader = cluster.awaitLeader();
    Recorder seen = new Recorder();
    WatchStream stream = leader.watch(ALL_K, seen);
    put(cluster, leader, "k1", "v1");
    cluster.run(Duration.ofMillis(10));
    stream.cancel();
    put(cluster, leader, "k1", "v2");
    cluster.run(Duration.ofMillis(10));
    assertThat(seen.values()).containsExactly("v1");
    assertThat(seen.end.reason()).isEqualTo(WatchEnd.Reason.CANCELED);
    assertThat(leader.status().watches().openCount()).isZero();
  }

  @Test
  void anEmptyKeyIsRefused() {
    LocalCluster cluster = new LocalCluster(3, c -> c);
    Replica leader = cluster.awaitLeader();
    Recorder seen = new Recorder();
    leader.watch(WatchRequest.key(Bytes.empty()), seen);
    cluster.run(Duration.ofMillis(10));
    assertThat(seen.end.reason()).isEqualTo(WatchEnd.Reason.REFUSED);
  }

  @Test
  void aStreamGoesOnThroughASnapshotRestoreWithoutSkippingOrRepeating() {
    Recorder seen = watchAcrossARestore(Set.of());
    assertThat(seen.values()).containsExactlyElementsOf(values(1, 30));
    assertThat(seen.end).isNull();
  }

  /** The switch the simulator must catch: the restored revisions never reach the stream. */
  @Test
  void watchSkipsRestoredRevisionsBugLosesEvents() {
    Recorder seen = watchAcrossARestore(Set.of(ReplicaBug.WATCH_SKIPS_RESTORED_REVISIONS));
    assertThat(seen.values()).startsWith("v1").hasSizeLessThan(30).endsWith("v30");
  }

  /**
   * A follower watches, is cut off while 29 writes go by and the leader's log is compacted behind
   * snapshots, then is brought back by InstallSnapshot, and one more write follows.
   */
  private static Recorder watchAcrossARestore(Set<ReplicaBug> bugs) {
    LocalCluster cluster = new LocalCluster(3, c -> c.withSnapshotEveryEntries(5), bugs);
    Replica leader = cluster.awaitLeader();
    Replica follower = cluster.follower();
    Recorder seen = new Recorder();
    follower.watch(ALL_K, seen);
    put(cluster, leader, "k1", "v1");
    cluster.runUntil("the first event", () -> seen.events.size() == 1, SECOND);
    cluster.isolate(follower.id());
    for (int i = 2; i <= 29; i++) {
      put(cluster, leader, "k" + (i % 3), "v" + i);
    }
    cluster.run(Duration.ofMillis(50));
    long leaderRevision = leader.revision();
    assertThat(leader.raftStatus().snapshotIndex())
        .isGreaterThan(follower.raftStatus().lastIndex());
    cluster.heal();
    cluster.runUntil(
        "the follower restored",
        () -> follower.revision() == leaderRevision,
        SECOND.multipliedBy(5));
    assertThat(follower.raftStatus().snapshotIndex()).isPositive();
    put(cluster, cluster.awaitLeader(), "k1", "v30");
    cluster.runUntil(
        "the last write delivered",
        () -> !seen.events.isEmpty() && seen.values().getLast().equals("v30"),
        SECOND);
    assertThat(seen.revisions()).isSorted().doesNotHaveDuplicates();
    return seen;
  }
}
