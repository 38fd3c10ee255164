package io.raftkv.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkv.raft.Message.TimeoutNow;
import io.raftkv.raft.testkit.InMemoryCluster;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Leadership transfer, thesis §3.10. */
class LeadershipTransferTest {

  /** Thesis §3.10: the target is caught up, told TimeoutNow, and wins the next term. */
  @Test
  void transferMakesTargetLeaderInNextTerm_3_10() {
    InMemoryCluster cluster = InMemoryCluster.create(3, 31);
    RaftNode leader = cluster.awaitLeader(100);
    long term = leader.currentTerm();
    NodeId target = otherThan(cluster, leader.id());
    assertThat(leader.transferLeadership(target)).isEmpty();
    cluster.runUntil(
        "target leads", () -> cluster.leader().map(l -> l.id().equals(target)).orElse(false), 20);
    assertThat(cluster.leader().orElseThrow().currentTerm()).isEqualTo(term + 1);
    assertThat(leader.role()).isEqualTo(Role.FOLLOWER);
  }

  /** Thesis §3.10: a lagging target is first caught up, and only then sent TimeoutNow. */
  @Test
  void laggingTargetIsCaughtUpBeforeTimeoutNow_3_10() {
    InMemoryCluster cluster = InMemoryCluster.create(3, 32);
    RaftNode leader = cluster.awaitLeader(100);
    NodeId target = otherThan(cluster, leader.id());
    cluster.cutLink(leader.id(), target);
    for (int i = 0; i < 20; i++) {
      cluster.propose(leader.id(), ("v" + i).getBytes());
    }
    cluster.round(10_000);
    long leaderLast = leader.lastIndex();
    assertThat(cluster.node(target).orElseThrow().lastIndex()).isLessThan(leaderLast);
    List<Long> targetLastIndexAtTimeoutNow = new ArrayList<>();
    cluster.observeDeliveries(
        m -> {
          if (m instanceof TimeoutNow) {
            targetLastIndexAtTimeoutNow.add(cluster.node(m.to()).orElseThrow().lastIndex());
          }
        });
    cluster.heal();
    leader.transferLeadership(target);
    cluster.runUntil(
        "target leads", () -> cluster.leader().map(l -> l.id().equals(target)).orElse(false), 30);
    assertThat(targetLastIndexAtTimeoutNow).containsExactly(leaderLast);
  }

  /** Thesis §3.10: proposals are refused while a transfer is under way. */
  @Test
  void proposalsAreRefusedWhileTransferring_3_10() {
    InMemoryCluster cluster = InMemoryCluster.create(3, 33);
    RaftNode leader = cluster.awaitLeader(100);
    NodeId target = otherThan(cluster, leader.id());
    cluster.isolate(target);
    cluster.propose(leader.id(), "lagging".getBytes());
    leader.transferLeadership(target);
    assertThat(leader.propose("refused".getBytes()))
        .isEqualTo(new ProposeResult.Rejected(RejectReason.TRANSFERRING_LEADERSHIP, leader.id()));
  }

  /** Thesis §3.10: a transfer that cannot finish is abandoned after an election timeout. */
  @Test
  void transferIsAbortedAfterElectionTimeout_3_10() {
    InMemoryCluster cluster = InMemoryCluster.create(3, 34);
    RaftNode leader = cluster.awaitLeader(100);
    NodeId target = otherThan(cluster, leader.id());
    cluster.isolate(target);
    cluster.propose(leader.id(), "lagging".getBytes());
    leader.transferLeadership(target);
    int rounds = 0;
    while (!leader.leadTransferee().isNone()) {
      cluster.round(1000);
      rounds++;
    }
    assertThat(rounds).isEqualTo(10);
    assertThat(leader.role()).isEqualTo(Role.LEADER);
    assertThat(leader.propose("accepted".getBytes())).isInstanceOf(ProposeResult.Accepted.class);
  }

  @Test
  void transferToStrangerIsRefused() {
    InMemoryCluster cluster = InMemoryCluster.create(3, 35);
    RaftNode leader = cluster.awaitLeader(100);
    assertThat(leader.transferLeadership(NodeId.of(9)))
        .hasValue(new ProposeResult.Rejected(RejectReason.UNKNOWN_NODE, leader.id()));
  }

  /** Once TimeoutNow is out, the target's election ignores leases, so ours is void. */
  @Test
  void leaderForfeitsItsLeaseOnceTimeoutNowIsSent() {
    InMemoryCluster cluster =
        InMemoryCluster.create(3, 36, b -> b.leaseReads(true), id -> CoreLog.SILENT);
    RaftNode leader = cluster.awaitLeader(100);
    cluster.round(1000);
    NodeId target = otherThan(cluster, leader.id());
    long term = leader.currentTerm();
    // TimeoutNow is lost and the target cannot ack; the third node alone keeps a quorum.
    cluster.cutLink(leader.id(), target);
    cluster.cutLink(target, leader.id());
    leader.transferLeadership(target);
    for (int i = 0; i < 12; i++) {
      cluster.round(1000);
    }
    assertThat(leader.leadTransferee().isNone()).isTrue();
    assertThat(leader.role()).isEqualTo(Role.LEADER);
    assertThat(leader.currentTerm()).isEqualTo(term);
    assertThat(leader.readIndex(1)).isEmpty();
    cluster.process(leader.id());
    assertThat(cluster.readsServed(leader.id())).isEmpty();
    // The read is still served, by a heartbeat round instead of the lease.
    cluster.round(1000);
    assertThat(cluster.readsServed(leader.id()))
        .extracting(ReadState::requestId)
        .containsExactly(1L);
  }

  /**
   * A second transfer in the same term, to a target that must first catch up, still ends with
   * TimeoutNow: the "already sent" flag belongs to one transfer, not to the term.
   */
  @Test
  void secondTransferInSameTermToLaggingTargetCompletes_3_10() {
    InMemoryCluster cluster = InMemoryCluster.create(3, 32);
    RaftNode leader = cluster.awaitLeader(100);
    long term = leader.currentTerm();
    NodeId target = otherThan(cluster, leader.id());
    cluster.round(1000);
    cluster.cutLink(leader.id(), target); // the first TimeoutNow is lost
    assertThat(leader.transferLeadership(target)).isEmpty();
    for (int i = 0; i < 11; i++) {
      cluster.round(1000);
    }
    assertThat(leader.leadTransferee().isNone()).isTrue();
    assertThat(leader.currentTerm()).isEqualTo(term);
    for (int i = 0; i < 5; i++) {
      cluster.propose(leader.id(), ("v" + i).getBytes());
    }
    cluster.round(1000);
    cluster.heal();
    assertThat(leader.transferLeadership(target)).isEmpty();
    cluster.runUntil(
        "target leads", () -> cluster.leader().map(l -> l.id().equals(target)).orElse(false), 9);
  }

  static NodeId otherThan(InMemoryCluster cluster, NodeId id) {
    return cluster.ids().stream().filter(other -> !other.equals(id)).findFirst().orElseThrow();
  }
}
