package io.raftkv.raft;

import static io.raftkv.raft.Nodes.drain;
import static io.raftkv.raft.Nodes.n;
import static io.raftkv.raft.Nodes.only;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkv.raft.Message.InstallSnapshot;
import io.raftkv.raft.Message.SnapshotReply;
import io.raftkv.raft.testkit.InMemoryCluster;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Snapshots, compaction and InstallSnapshot (§7). */
class SnapshotTest {

  /**
   * §7: a follower that needs entries the leader compacted away gets the snapshot in chunks
   * (increasing offsets, a last-chunk flag), restores it, and then replicates normally.
   */
  @Test
  void laggingFollowerCatchesUpThroughChunkedInstallSnapshot_7() {
    InMemoryCluster cluster =
        InMemoryCluster.create(3, 41, b -> b.snapshotChunkBytes(4), id -> CoreLog.SILENT);
    RaftNode leader = cluster.awaitLeader(100);
    NodeId lagging = LeadershipTransferTest.otherThan(cluster, leader.id());
    cluster.isolate(lagging);
    for (int i = 0; i < 30; i++) {
      cluster.propose(leader.id(), ("v" + i).getBytes());
    }
    cluster.runUntil(
        "leader applied all", () -> cluster.appliedIndex(leader.id()) == leader.lastIndex(), 20);
    cluster.compact(leader.id());
    long snapshotIndex = leader.snapshot().orElseThrow().index();
    assertThat(leader.firstIndex()).isEqualTo(snapshotIndex + 1);

    List<InstallSnapshot> chunks = new ArrayList<>();
    cluster.observeDeliveries(
        m -> {
          if (m instanceof InstallSnapshot chunk) {
            chunks.add(chunk);
          }
        });
    cluster.heal();
    cluster.runUntil(
        "lagging node applied the snapshot",
        () -> cluster.appliedIndex(lagging) >= snapshotIndex,
        30);
    assertThat(chunks.size()).isGreaterThan(2);
    for (int i = 0; i < chunks.size(); i++) {
      assertThat(chunks.get(i).offset()).isEqualTo(4L * i);
      assertThat(chunks.get(i).done()).isEqualTo(i == chunks.size() - 1);
    }
    RaftNode follower = cluster.node(lagging).orElseThrow();
    assertThat(follower.snapshot()).isEqualTo(leader.snapshot());

    ProposeResult.Accepted after =
        (ProposeResult.Accepted) cluster.propose(leader.id(), "after".getBytes());
    cluster.runUntil(
        "lagging node applies new entries",
        () -> cluster.appliedIndex(lagging) >= after.lastIndex(),
        20);
  }

  /** A chunk that is not the next one expected is ignored; the reply says where to resume. */
  @Test
  void outOfOrderChunkIsIgnoredAndReplyNamesExpectedOffset() {
    RaftNode follower = Nodes.node(2, 3, b -> b);
    Configuration voters = Configuration.ofIds(1, 2, 3);
    follower.step(new InstallSnapshot(1, n(1), n(2), 10, 1, voters, 0, new byte[] {1, 2}, false));
    follower.step(new InstallSnapshot(1, n(1), n(2), 10, 1, voters, 5, new byte[] {9}, false));
    List<SnapshotReply> replies = only(SnapshotReply.class, drain(follower));
    assertThat(replies).extracting(SnapshotReply::nextOffset).containsExactly(2L, 2L);
    follower.step(new InstallSnapshot(1, n(1), n(2), 10, 1, voters, 2, new byte[] {3}, true));
    Ready ready = follower.ready();
    assertThat(ready.snapshotToInstall())
        .hasValueSatisfying(
            s -> {
              assertThat(s.index()).isEqualTo(10);
              assertThat(s.data()).containsExactly(1, 2, 3);
            });
    assertThat(only(SnapshotReply.class, ready.sendAfterPersist()))
        .singleElement()
        .satisfies(r -> assertThat(r.installed()).isTrue());
    follower.advance(ready);
    assertThat(follower.commitIndex()).isEqualTo(10);
    assertThat(follower.appliedIndex()).isEqualTo(10);
  }

  /** Chunks of images from two leaders are never spliced, even at the same index and term. */
  @Test
  void chunksFromAnotherLeaderTermRestartTheImage() {
    RaftNode follower = Nodes.node(2, 3, b -> b);
    Configuration voters = Configuration.ofIds(1, 2, 3);
    follower.step(new InstallSnapshot(1, n(1), n(2), 10, 1, voters, 0, new byte[] {1, 2}, false));
    follower.step(new InstallSnapshot(2, n(3), n(2), 10, 1, voters, 2, new byte[] {9}, true));
    List<SnapshotReply> replies = only(SnapshotReply.class, drain(follower));
    assertThat(replies).extracting(SnapshotReply::nextOffset).containsExactly(2L, 0L);
    assertThat(follower.snapshot()).isEmpty();
  }

  /** A duplicate first chunk does not throw away what has arrived of the same image. */
  @Test
  void duplicateFirstChunkKeepsTheReceivedPart() {
    RaftNode follower = Nodes.node(2, 3, b -> b);
    Configuration voters = Configuration.ofIds(1, 2, 3);
    follower.step(new InstallSnapshot(1, n(1), n(2), 10, 1, voters, 0, new byte[] {1, 2}, false));
    follower.step(new InstallSnapshot(1, n(1), n(2), 10, 1, voters, 0, new byte[] {1, 2}, false));
    follower.step(new InstallSnapshot(1, n(1), n(2), 10, 1, voters, 2, new byte[] {3}, true));
    Ready ready = follower.ready();
    assertThat(ready.snapshotToInstall())
        .hasValueSatisfying(s -> assertThat(s.data()).containsExactly(1, 2, 3));
  }

  /**
   * A compaction on the leader does not restart a transfer under way: the follower gets the image
   * it was receiving, then (if needed) the newer one.
   */
  @Test
  void compactionDuringTransferDoesNotRestartIt() {
    InMemoryCluster cluster =
        InMemoryCluster.create(3, 43, b -> b.snapshotChunkBytes(2), id -> CoreLog.SILENT);
    RaftNode leader = cluster.awaitLeader(100);
    NodeId lagging = LeadershipTransferTest.otherThan(cluster, leader.id());
    cluster.isolate(lagging);
    for (int i = 0; i < 10; i++) {
      cluster.propose(leader.id(), ("v" + i).getBytes());
    }
    cluster.runUntil(
        "leader applied", () -> cluster.appliedIndex(leader.id()) == leader.lastIndex(), 20);
    cluster.compact(leader.id());
    List<InstallSnapshot> chunks = new ArrayList<>();
    cluster.observeDeliveries(
        m -> {
          if (m instanceof InstallSnapshot chunk) {
            chunks.add(chunk);
            if (chunks.size() == 3) {
              // Mid-transfer: more entries and a newer snapshot on the leader.
              leader.propose("late".getBytes());
            }
          }
        });
    cluster.heal();
    for (int i = 0; i < 30; i++) {
      cluster.round(1000);
      cluster.compact(leader.id());
    }
    cluster.runUntil(
        "lagging node caught up", () -> cluster.appliedIndex(lagging) == leader.lastIndex(), 30);
    long firstImage = chunks.get(0).snapshotIndex();
    List<Long> offsetsOfFirstImage =
        chunks.stream()
            .filter(c -> c.snapshotIndex() == firstImage)
            .map(InstallSnapshot::offset)
            .toList();
    assertThat(offsetsOfFirstImage).isSorted().doesNotHaveDuplicates();
    assertThat(chunks.stream().filter(c -> c.snapshotIndex() == firstImage))
        .anyMatch(InstallSnapshot::done);
  }

  @Test
  void compactingBeyondAppliedIsRefused() {
    RaftNode leader = ReplicationTest.electedLeaderOfThree(b -> b);
    assertThatThrownBy(() -> leader.compact(leader.appliedIndex() + 1, new byte[0]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("only applied through");
  }

  /** A node restarts from its snapshot plus the entries after it, and keeps serving. */
  @Test
  void nodeRestartsFromSnapshotAndLaterEntries() {
    InMemoryCluster cluster = InMemoryCluster.create(3, 42);
    RaftNode leader = cluster.awaitLeader(100);
    for (int i = 0; i < 10; i++) {
      cluster.propose(leader.id(), ("v" + i).getBytes());
    }
    NodeId follower = LeadershipTransferTest.otherThan(cluster, leader.id());
    cluster.runUntil(
        "follower applied all", () -> cluster.appliedIndex(follower) == leader.lastIndex(), 20);
    cluster.compact(follower);
    long snapshotIndex = cluster.node(follower).orElseThrow().snapshot().orElseThrow().index();
    cluster.propose(leader.id(), "later".getBytes());
    cluster.runUntil(
        "follower applied later", () -> cluster.appliedIndex(follower) == leader.lastIndex(), 20);
    cluster.crash(follower);
    cluster.restart(follower);
    RaftNode restarted = cluster.node(follower).orElseThrow();
    assertThat(restarted.firstIndex()).isEqualTo(snapshotIndex + 1);
    assertThat(restarted.lastIndex()).isEqualTo(leader.lastIndex());
    cluster.runUntil(
        "restarted follower re-applied",
        () -> cluster.appliedIndex(follower) == leader.lastIndex(),
        20);
  }
}
