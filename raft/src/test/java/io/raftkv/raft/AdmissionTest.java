package io.raftkv.raft;

import static io.raftkv.raft.Nodes.drain;
import static io.raftkv.raft.Nodes.n;
import static io.raftkv.raft.Nodes.only;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkv.raft.Message.AppendEntries;
import io.raftkv.raft.Message.AppendReply;
import io.raftkv.raft.ProposeResult.Rejected;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Bad or excess input gets a definite answer and changes nothing (STYLE.md §4, §5). */
class AdmissionTest {

  @Test
  void oversizedEntryIsRefusedAndNothingIsAppended() {
    RaftNode leader = ReplicationTest.electedLeaderOfThree(b -> b.entryBytesMax(100));
    long last = leader.lastIndex();
    assertThat(leader.propose(List.of(new byte[10], new byte[101])))
        .isEqualTo(new Rejected(RejectReason.TOO_LARGE, leader.id()));
    assertThat(leader.lastIndex()).isEqualTo(last);
  }

  @Test
  void proposalsBeyondUncommittedBoundAreRefusedAsOverloaded() {
    RaftNode leader =
        ReplicationTest.electedLeaderOfThree(b -> b.entryBytesMax(1000).uncommittedBytesMax(2500));
    assertThat(leader.propose(new byte[1000])).isInstanceOf(ProposeResult.Accepted.class);
    assertThat(leader.propose(new byte[1000])).isInstanceOf(ProposeResult.Accepted.class);
    long last = leader.lastIndex();
    assertThat(leader.propose(new byte[1000]))
        .isEqualTo(new Rejected(RejectReason.OVERLOADED, leader.id()));
    assertThat(leader.lastIndex()).isEqualTo(last);
    // Once they commit, room frees up again.
    Ready ready = leader.ready();
    leader.advance(ready);
    leader.step(AppendReply.accepted(leader.currentTerm(), n(2), n(1), last));
    assertThat(leader.commitIndex()).isEqualTo(last);
    assertThat(leader.propose(new byte[1000])).isInstanceOf(ProposeResult.Accepted.class);
  }

  @Test
  void readsBeyondPendingBoundAreRefusedAsOverloaded() {
    RaftNode leader = ReplicationTest.electedLeaderOfThree(b -> b.readsPendingMax(2));
    assertThat(leader.readIndex(1)).isEmpty();
    assertThat(leader.readIndex(2)).isEmpty();
    assertThat(leader.readIndex(3)).hasValue(new Rejected(RejectReason.OVERLOADED, leader.id()));
  }

  @Test
  void followerRefusesProposalsNamingTheLeader() {
    RaftNode follower = Nodes.node(2, 3, b -> b);
    follower.step(new Message.Heartbeat(1, n(1), n(2), 0, 1));
    assertThat(follower.propose("x".getBytes()))
        .isEqualTo(new Rejected(RejectReason.NOT_LEADER, n(1)));
    assertThat(follower.lastIndex()).isZero();
  }

  @Test
  void emptyProposalIsAProgrammingError() {
    RaftNode leader = ReplicationTest.electedLeaderOfThree(b -> b);
    assertThatThrownBy(() -> leader.propose(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void messagesFromStrangersOrForOthersAreDropped() {
    RaftNode node = Nodes.node(2, 3, b -> b);
    node.step(new AppendEntries(5, n(9), n(2), 0, 0, List.of(), 0));
    node.step(new AppendEntries(5, n(1), n(3), 0, 0, List.of(), 0));
    assertThat(node.currentTerm()).isZero();
    assertThat(drain(node)).isEmpty();
  }

  /**
   * A deposed leader is told so: with pre-vote and check-quorum nobody campaigns against it, so
   * without this answer it would never learn the new term.
   */
  @Test
  void staleLeaderLearnsItWasDeposed() {
    RaftNode follower = Nodes.node(2, 3, b -> b, Nodes.logWithTerms(5));
    follower.step(new AppendEntries(3, n(1), n(2), 0, 0, List.of(), 0));
    assertThat(only(AppendReply.class, drain(follower)))
        .singleElement()
        .satisfies(reply -> assertThat(reply.term()).isEqualTo(5));
    RaftNode staleLeader = ReplicationTest.electedLeaderOfThree(b -> b);
    staleLeader.step(AppendReply.staleTerm(staleLeader.currentTerm() + 4, n(2), n(1)));
    assertThat(staleLeader.role()).isEqualTo(Role.FOLLOWER);
  }

  @Test
  void readyTwiceWithoutAdvanceIsAProgrammingError() {
    RaftNode node = Nodes.node(1, 3, b -> b);
    node.ready();
    assertThatThrownBy(node::ready).isInstanceOf(InvariantViolation.class);
  }

  @Test
  void badConfigurationIsRefusedWithTheReason() {
    assertThatThrownBy(() -> Nodes.config(1, 3).electionTimeoutTicks(1).heartbeatTicks(1).build())
        .hasMessageContaining("electionTimeoutTicks must exceed heartbeatTicks");
    assertThatThrownBy(() -> Nodes.config(1, 3).inflightAppendsMax(0).build())
        .hasMessageContaining("inflightAppendsMax must be >= 1");
  }
}
