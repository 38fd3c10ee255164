package io.raftkv.raft;

import static io.raftkv.raft.Nodes.drain;
import static io.raftkv.raft.Nodes.n;
import static io.raftkv.raft.Nodes.only;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftkv.raft.Message.AppendEntries;
import io.raftkv.raft.Message.AppendReply;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Log replication: §5.3, fast backtracking, flow control and pipelining. */
class ReplicationTest {

  /** §5.3: a follower refuses entries whose predecessor it does not hold with that term. */
  @Test
  void followerRejectsAppendFailingConsistencyCheck_5_3() {
    RaftNode follower = Nodes.node(2, 3, b -> b, Nodes.logWithTerms(2, 1, 1, 2));
    follower.step(
        new AppendEntries(3, n(1), n(2), 3, 3, List.of(Entry.command(3, 4, new byte[] {1})), 0));
    AppendReply reply = only(AppendReply.class, drain(follower)).get(0);
    assertThat(reply.success()).isFalse();
    assertThat(reply.rejectedIndex()).isEqualTo(3);
    // Hints: our entry at 3 is of term 2, and our run of term 2 starts at 3.
    assertThat(reply.conflictTerm()).isEqualTo(2);
    assertThat(reply.conflictIndex()).isEqualTo(3);
    assertThat(follower.lastIndex()).isEqualTo(3);
  }

  /** §5.3: a follower whose log is too short says where its log ends. */
  @Test
  void shortFollowerHintsItsLastIndex_5_3() {
    RaftNode follower = Nodes.node(2, 3, b -> b, Nodes.logWithTerms(1, 1, 1));
    follower.step(new AppendEntries(2, n(1), n(2), 7, 2, List.of(), 0));
    AppendReply reply = only(AppendReply.class, drain(follower)).get(0);
    assertThat(reply.success()).isFalse();
    assertThat(reply.conflictTerm()).isZero();
    assertThat(reply.conflictIndex()).isEqualTo(3);
  }

  /** §5.3 receiver rules 3 and 4: conflicting suffix is replaced, matching entries kept. */
  @Test
  void followerTruncatesConflictingSuffix_5_3() {
    RaftNode follower = Nodes.node(2, 3, b -> b, Nodes.logWithTerms(2, 1, 2, 2, 2));
    Entry replacement = Entry.command(3, 3, "new".getBytes());
    follower.step(new AppendEntries(3, n(1), n(2), 2, 2, List.of(replacement), 1));
    AppendReply reply = only(AppendReply.class, drain(follower)).get(0);
    assertThat(reply.success()).isTrue();
    assertThat(reply.matchIndex()).isEqualTo(3);
    assertThat(follower.lastIndex()).isEqualTo(3);
    assertThat(follower.entry(3)).hasValue(replacement);
    assertThat(follower.commitIndex()).isEqualTo(1);
  }

  /** §5.3: a stale, shorter append does not truncate entries that already match. */
  @Test
  void staleAppendDoesNotTruncateMatchingEntries_5_3() {
    RaftNode follower = Nodes.node(2, 3, b -> b, Nodes.logWithTerms(2, 1, 2, 2));
    follower.step(
        new AppendEntries(2, n(1), n(2), 1, 1, List.of(Entry.command(2, 2, "e2@2".getBytes())), 0));
    drain(follower);
    assertThat(follower.lastIndex()).isEqualTo(3);
  }

  /**
   * Fast backtracking: a follower whose log diverges from the leader's over K terms is repaired in
   * O(K) AppendEntries round trips, not one per entry.
   */
  @Test
  void divergentFollowerIsRepairedInRoundTripsProportionalToTerms() {
    int terms = 6;
    int entriesPerTerm = 20;
    List<Long> leaderTerms = new ArrayList<>(List.of(1L, 1L, 1L));
    List<Long> followerTerms = new ArrayList<>(List.of(1L, 1L, 1L));
    for (int t = 0; t < terms; t++) {
      for (int i = 0; i < entriesPerTerm; i++) {
        leaderTerms.add(2L + 2 * t);
        followerTerms.add(3L + 2 * t);
      }
    }
    long term = 3L + 2 * terms;
    RaftNode leader =
        Nodes.node(1, 3, b -> b.preVote(false), Nodes.logWithTerms(term, toArray(leaderTerms)));
    RaftNode helper =
        Nodes.node(2, 3, b -> b.preVote(false), Nodes.logWithTerms(term, toArray(leaderTerms)));
    RaftNode diverged =
        Nodes.node(3, 3, b -> b.preVote(false), Nodes.logWithTerms(term, toArray(followerTerms)));
    Wire wire = new Wire(leader, helper, diverged);
    leader.campaign();
    wire.run();
    assertThat(leader.role()).isEqualTo(Role.LEADER);
    long appendsToDiverged = wire.countDelivered(AppendEntries.class, m -> m.to().equals(n(3)));
    assertThat(diverged.lastIndex()).isEqualTo(leader.lastIndex());
    for (long i = 1; i <= leader.lastIndex(); i++) {
      assertThat(diverged.entry(i)).isEqualTo(leader.entry(i));
    }
    // One rejection per diverging term, the first probe, and the final catch-up.
    assertThat(appendsToDiverged).isLessThanOrEqualTo(terms + 3);
    assertThat((long) terms * entriesPerTerm).isGreaterThan(appendsToDiverged * 10);
  }

  /**
   * Flow control: each AppendEntries respects the entry and byte bounds, and no more than
   * inflightAppendsMax are outstanding to one follower while it replicates.
   */
  @Test
  void appendsRespectEntryByteAndInflightBounds() {
    RaftNode leader =
        electedLeaderOfThree(b -> b.appendEntriesMax(4).appendBytesMax(300).inflightAppendsMax(3));
    for (int i = 0; i < 100; i++) {
      leader.propose(new byte[100]);
    }
    List<AppendEntries> toFollower =
        only(AppendEntries.class, drain(leader)).stream().filter(m -> m.to().equals(n(2))).toList();
    assertThat(toFollower).hasSize(3);
    for (AppendEntries append : toFollower) {
      long bytes = append.entries().stream().mapToLong(Entry::sizeBytes).sum();
      assertThat(append.entries()).hasSizeBetween(1, 4);
      assertThat(bytes).isLessThanOrEqualTo(300);
    }
    // One acknowledgement frees one slot: exactly one more append goes out.
    AppendEntries first = toFollower.get(0);
    leader.step(AppendReply.accepted(leader.currentTerm(), n(2), n(1), first.lastIndex()));
    assertThat(only(AppendEntries.class, drain(leader)))
        .filteredOn(m -> m.to().equals(n(2)))
        .hasSize(1);
  }

  /**
   * After a rejection the leader probes: one append at a time until it finds the match. Here the
   * first of two pipelined appends is lost, so the follower rejects the second.
   */
  @Test
  void rejectionPutsFollowerInProbeState() {
    RaftNode leader = electedLeaderOfThree(b -> b.inflightAppendsMax(8));
    leader.propose("a".getBytes());
    leader.propose("b".getBytes());
    List<AppendEntries> pipelined =
        only(AppendEntries.class, drain(leader)).stream().filter(m -> m.to().equals(n(2))).toList();
    assertThat(pipelined).extracting(AppendEntries::prevLogIndex).containsExactly(1L, 2L);
    leader.step(AppendReply.rejected(leader.currentTerm(), n(2), n(1), 2, 0, 2));
    List<AppendEntries> probes =
        only(AppendEntries.class, drain(leader)).stream().filter(m -> m.to().equals(n(2))).toList();
    assertThat(probes)
        .singleElement()
        .satisfies(
            probe -> {
              assertThat(probe.prevLogIndex()).isEqualTo(1);
              assertThat(probe.entries()).extracting(Entry::index).containsExactly(2L, 3L);
            });
    for (int i = 0; i < 5; i++) {
      leader.propose("more".getBytes());
    }
    assertThat(only(AppendEntries.class, drain(leader))).noneMatch(m -> m.to().equals(n(2)));
    // The probe's success returns the follower to pipelined replication of the rest.
    leader.step(AppendReply.accepted(leader.currentTerm(), n(2), n(1), 3));
    assertThat(only(AppendEntries.class, drain(leader)))
        .filteredOn(m -> m.to().equals(n(2)))
        .singleElement()
        .satisfies(m -> assertThat(m.prevLogIndex()).isEqualTo(3));
  }

  /** The pipelined path end to end: many proposals in one batch all commit everywhere. */
  @Test
  void batchedProposalsReplicateAndCommitOnAllNodes() {
    RaftNode leader = Nodes.node(1, 3, b -> b.preVote(false).appendEntriesMax(16));
    Wire wire = new Wire(leader, Nodes.node(2, 3, b -> b), Nodes.node(3, 3, b -> b));
    leader.campaign();
    wire.run();
    List<byte[]> batch = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      batch.add(("cmd" + i).getBytes());
    }
    ProposeResult.Accepted accepted = (ProposeResult.Accepted) leader.propose(batch);
    wire.run();
    assertThat(leader.commitIndex()).isEqualTo(accepted.lastIndex());
    Nodes.tick(leader, 1); // the heartbeat carries the commit index to followers
    wire.run();
    assertThat(wire.nodes.values())
        .allSatisfy(node -> assertThat(node.commitIndex()).isEqualTo(accepted.lastIndex()));
  }

  static RaftNode electedLeaderOfThree(java.util.function.UnaryOperator<RaftConfig.Builder> tune) {
    RaftNode leader = Nodes.node(1, 3, b -> tune.apply(b.preVote(false)));
    Wire wire = new Wire(leader, Nodes.node(2, 3, b -> b), Nodes.node(3, 3, b -> b));
    leader.campaign();
    wire.run();
    assertThat(leader.role()).isEqualTo(Role.LEADER);
    assertThat(leader.commitIndex()).isEqualTo(1);
    return leader;
  }

  private static long[] toArray(List<Long> values) {
    return values.stream().mapToLong(Long::longValue).toArray();
  }
}
