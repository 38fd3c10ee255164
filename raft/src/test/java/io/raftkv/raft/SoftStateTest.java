package io.raftkv.raft;

import static io.raftkv.raft.Nodes.n;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Ready reports role and leader changes once each (etcd's SoftState), and nothing otherwise. */
class SoftStateTest {

  @Test
  void readyReportsEachRoleAndLeaderChangeOnce() {
    RaftNode node = Nodes.node(1, 3, b -> b.preVote(false).checkQuorum(false));
    assertThat(node.hasReady()).as("a fresh follower has nothing to say").isFalse();
    node.campaign();
    assertThat(take(node)).contains(new SoftState(Role.CANDIDATE, NodeId.NONE));
    node.step(Message.VoteReply.granted(1, n(2), n(1), Message.VoteKind.VOTE));
    assertThat(take(node)).contains(new SoftState(Role.LEADER, n(1)));
    node.propose("x".getBytes());
    assertThat(take(node)).as("no change, no news").isEmpty();
    node.step(new Message.Heartbeat(2, n(3), n(1), 0, 1));
    assertThat(take(node)).contains(new SoftState(Role.FOLLOWER, n(3)));
  }

  /** Thesis §6.2: a check-quorum step-down changes no term and sends nothing, yet is news. */
  @Test
  void aRoleChangeAloneMakesAReady() {
    RaftNode node = Nodes.node(1, 3, b -> b.preVote(false).checkQuorum(true));
    node.campaign();
    take(node);
    node.step(Message.VoteReply.granted(1, n(2), n(1), Message.VoteKind.VOTE));
    while (node.role() == Role.LEADER) {
      Nodes.drain(node);
      node.tick();
    }
    assertThat(node.hasReady()).isTrue();
    Ready ready = node.ready();
    assertThat(ready.sendNow()).isEmpty();
    assertThat(ready.sendAfterPersist()).isEmpty();
    assertThat(ready.hardState()).isEmpty();
    assertThat(ready.softState()).contains(new SoftState(Role.FOLLOWER, NodeId.NONE));
  }

  private static Optional<SoftState> take(RaftNode node) {
    Ready ready = node.ready();
    node.advance(ready);
    return ready.softState();
  }
}
