package io.raftkv.raft;

import static io.raftkv.raft.Nodes.drain;
import static io.raftkv.raft.Nodes.n;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftkv.raft.Message.AppendReply;
import io.raftkv.raft.Message.RequestVote;
import io.raftkv.raft.Message.VoteReply;
import org.junit.jupiter.api.Test;

/** Commitment: §5.3, §5.4.2 (Figure 8) and the new leader's no-op. */
class CommitmentTest {

  /** §5.4.2 / thesis §6.4: a new leader appends an empty entry of its own term at once. */
  @Test
  void newLeaderAppendsNoopOfItsTerm_5_4_2() {
    RaftNode leader = ReplicationTest.electedLeaderOfThree(b -> b);
    Entry first = leader.entry(1).orElseThrow();
    assertThat(first.type()).isEqualTo(EntryType.NOOP);
    assertThat(first.term()).isEqualTo(leader.currentTerm());
  }

  /**
   * §5.4.2, Figure 8: an entry of an earlier term (2@2) stored on a majority is not committed by
   * counting replicas; it commits only once an entry of the leader's own term (its no-op, 3@4) is
   * on a majority.
   */
  @Test
  void leaderDoesNotCommitEarlierTermEntryByCounting_figure8() {
    RaftNode s1 =
        Nodes.node(1, 5, b -> b.preVote(false).checkQuorum(false), Nodes.logWithTerms(3, 1, 2));
    Wire wire =
        new Wire(
            s1,
            Nodes.node(2, 5, b -> b, Nodes.logWithTerms(3, 1, 2)),
            Nodes.node(3, 5, b -> b, Nodes.logWithTerms(3, 1)),
            Nodes.node(4, 5, b -> b, Nodes.logWithTerms(3, 1)),
            Nodes.node(5, 5, b -> b, Nodes.logWithTerms(3, 1, 3)));
    s1.campaign();
    wire.run(m -> m instanceof RequestVote || m instanceof VoteReply, 100);
    assertThat(s1.role()).isEqualTo(Role.LEADER);
    assertThat(s1.currentTerm()).isEqualTo(4);
    drain(s1);
    assertThat(s1.entry(3).orElseThrow().term()).isEqualTo(4);

    // S2 and S3 hold 2@2: with S1 that is a majority of five, yet it must not commit.
    s1.step(AppendReply.accepted(4, n(2), n(1), 2));
    s1.step(AppendReply.accepted(4, n(3), n(1), 2));
    drain(s1);
    assertThat(s1.commitIndex()).isZero();
    s1.step(AppendReply.accepted(4, n(2), n(1), 3));
    drain(s1);
    assertThat(s1.commitIndex()).isZero();

    // The no-op of term 4 reaches a majority: it commits, and 2@2 with it.
    s1.step(AppendReply.accepted(4, n(3), n(1), 3));
    drain(s1);
    assertThat(s1.commitIndex()).isEqualTo(3);
  }

  /**
   * Why the rule above is needed: in Figure 8 (d), S5 (last term 3) can still win an election and
   * overwrite 2@2 on the very nodes that held it, so counting replicas would have been wrong.
   */
  @Test
  void earlierTermEntryOnMajorityCanStillBeOverwritten_figure8d() {
    RaftNode s5 =
        Nodes.node(5, 5, b -> b.preVote(false).checkQuorum(false), Nodes.logWithTerms(4, 1, 3));
    RaftNode s2 = Nodes.node(2, 5, b -> b, Nodes.logWithTerms(4, 1, 2));
    RaftNode s3 = Nodes.node(3, 5, b -> b, Nodes.logWithTerms(4, 1, 2));
    Wire wire = new Wire(s2, s3, Nodes.node(4, 5, b -> b, Nodes.logWithTerms(4, 1)), s5);
    s5.campaign();
    wire.run();
    assertThat(s5.role()).isEqualTo(Role.LEADER);
    assertThat(s2.entry(2).orElseThrow().term()).isEqualTo(3);
    assertThat(s3.entry(2).orElseThrow().term()).isEqualTo(3);
  }

  /** §5.3: a follower learns the commit index from the leader, never beyond what it holds. */
  @Test
  void followerCommitIsCappedByItsOwnLog_5_3() {
    RaftNode follower = Nodes.node(2, 3, b -> b, Nodes.logWithTerms(1, 1, 1));
    follower.step(new Message.AppendEntries(1, n(1), n(2), 2, 1, java.util.List.of(), 9));
    drain(follower);
    assertThat(follower.commitIndex()).isEqualTo(2);
  }

  /** The leader counts its own copy only once it is durable (ARCHITECTURE.md property 3). */
  @Test
  void leaderCountsItselfOnlyAfterPersisting() {
    RaftNode leader = ReplicationTest.electedLeaderOfThree(b -> b);
    ProposeResult.Accepted accepted = (ProposeResult.Accepted) leader.propose("x".getBytes());
    Ready ready = leader.ready();
    leader.step(AppendReply.accepted(leader.currentTerm(), n(2), n(1), accepted.lastIndex()));
    // One follower plus the leader would be a majority, but the leader has not persisted yet.
    assertThat(leader.commitIndex()).isEqualTo(accepted.lastIndex() - 1);
    leader.advance(ready);
    assertThat(leader.commitIndex()).isEqualTo(accepted.lastIndex());
  }
}
