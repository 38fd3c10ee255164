package io.raftkv.raft;

import static io.raftkv.raft.Nodes.drain;
import static io.raftkv.raft.Nodes.n;
import static io.raftkv.raft.Nodes.only;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftkv.raft.Message.RequestVote;
import io.raftkv.raft.Message.VoteReply;
import io.raftkv.raft.testkit.InMemoryCluster;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Elections: §5.2, §5.4.1, pre-vote (thesis §9.6) and check-quorum (thesis §6.2). */
class ElectionTest {

  /** §5.2: a follower that hears nothing for its election timeout campaigns in a new term. */
  @Test
  void followerCampaignsAfterElectionTimeout_5_2() {
    RaftNode node = Nodes.node(1, 3, b -> b.preVote(false));
    Nodes.tick(node, 9);
    assertThat(node.role()).isEqualTo(Role.FOLLOWER);
    Nodes.tick(node, 11);
    assertThat(node.role()).isEqualTo(Role.CANDIDATE);
    assertThat(node.currentTerm()).isEqualTo(1);
    List<RequestVote> votes = only(RequestVote.class, drain(node));
    assertThat(votes).extracting(Message::to).containsExactly(n(2), n(3));
    assertThat(votes).allMatch(v -> v.term() == 1 && !v.preVote());
  }

  /** §5.2: timeouts are drawn from the injected source in [T, 2T), so seeds spread elections. */
  @Test
  void electionTimeoutIsRandomisedFromTheInjectedSource_5_2() {
    Set<Integer> timeouts = new HashSet<>();
    for (int seed = 0; seed < 20; seed++) {
      RaftNode node =
          new RaftNode(
              Nodes.config(1, 3).preVote(false).build(),
              DurableState.empty(),
              Rng.seeded(seed),
              CoreLog.SILENT);
      int ticks = 0;
      while (node.role() == Role.FOLLOWER) {
        node.tick();
        ticks++;
      }
      assertThat(ticks).isBetween(10, 19);
      timeouts.add(ticks);
    }
    assertThat(timeouts).hasSizeGreaterThan(3);
  }

  /** §5.2: a vote, once given in a term, is not given to another candidate of that term. */
  @Test
  void grantsAtMostOneVotePerTerm_5_2() {
    RaftNode voter = Nodes.node(1, 3, b -> b.preVote(false).checkQuorum(false));
    voter.step(new RequestVote(1, n(2), n(1), 0, 0, Message.VoteKind.VOTE));
    voter.step(new RequestVote(1, n(3), n(1), 0, 0, Message.VoteKind.VOTE));
    List<VoteReply> replies = only(VoteReply.class, drain(voter));
    assertThat(replies).extracting(VoteReply::granted).containsExactly(true, false);
  }

  /** §5.2 and Figure 2: the vote is promised only after it is durable. */
  @Test
  void voteReplyLeavesOnlyAfterPersistence_5_2() {
    RaftNode voter = Nodes.node(1, 3, b -> b.preVote(false).checkQuorum(false));
    voter.step(new RequestVote(1, n(2), n(1), 0, 0, Message.VoteKind.VOTE));
    Ready ready = voter.ready();
    assertThat(ready.sendNow()).isEmpty();
    assertThat(ready.sendAfterPersist()).hasSize(1);
    assertThat(ready.hardState()).hasValue(new HardState(1, n(2), 0));
  }

  /** A restart remembers the vote: a crash cannot make a node vote twice in one term. */
  @Test
  void voteSurvivesRestart_5_2() {
    DurableState disk =
        new DurableState(new HardState(1, n(2), 0), java.util.Optional.empty(), List.of());
    RaftNode voter = Nodes.node(1, 3, b -> b.preVote(false).checkQuorum(false), disk);
    voter.step(new RequestVote(1, n(3), n(1), 0, 0, Message.VoteKind.VOTE));
    assertThat(only(VoteReply.class, drain(voter)))
        .singleElement()
        .extracting(VoteReply::granted)
        .isEqualTo(false);
  }

  /** §5.4.1: a voter refuses a candidate whose log is less up-to-date than its own. */
  @Test
  void refusesVoteToCandidateWithStaleLog_5_4_1() {
    RaftNode voter =
        Nodes.node(1, 3, b -> b.preVote(false).checkQuorum(false), Nodes.logWithTerms(2, 1, 2));
    // Higher last term wins even with a shorter log; lower last term loses even if longer.
    voter.step(new RequestVote(3, n(2), n(1), 5, 1, Message.VoteKind.VOTE));
    voter.step(new RequestVote(4, n(3), n(1), 1, 3, Message.VoteKind.VOTE));
    List<VoteReply> replies = only(VoteReply.class, drain(voter));
    assertThat(replies).extracting(VoteReply::granted).containsExactly(false, true);
  }

  /** §5.2: a cluster elects exactly one leader, whose term all nodes then share. */
  @Test
  void clusterElectsOneLeader_5_2() {
    InMemoryCluster cluster = InMemoryCluster.create(5, 11);
    RaftNode leader = cluster.awaitLeader(100);
    cluster.runUntil(
        "all followers know the leader",
        () -> cluster.upNodes().stream().allMatch(node -> node.leader().equals(leader.id())),
        50);
    assertThat(cluster.upNodes()).filteredOn(node -> node.role() == Role.LEADER).hasSize(1);
  }

  /**
   * Thesis §9.6: a node cut off for a long time keeps polling in vain with pre-vote, so its term
   * does not grow; when it rejoins, the healthy leader stays leader in the same term.
   */
  @Test
  void rejoiningPartitionedNodeDoesNotDeposeLeader_preVote_9_6() {
    InMemoryCluster cluster = InMemoryCluster.create(3, 5);
    RaftNode leader = cluster.awaitLeader(100);
    long term = leader.currentTerm();
    NodeId lonely = isolateAFollowerFor200Rounds(cluster, leader);
    assertThat(cluster.node(lonely).orElseThrow().currentTerm()).isEqualTo(term);
    cluster.heal();
    assertLeaderHoldsFor50Rounds(cluster, leader, term);
  }

  /** The same scenario without pre-vote deposes the leader: the test above can fail. */
  @Test
  void withoutPreVoteRejoiningNodeDisruptsTheLeader() {
    InMemoryCluster cluster =
        InMemoryCluster.create(
            3, 5, b -> b.preVote(false).checkQuorum(false), id -> CoreLog.SILENT);
    RaftNode leader = cluster.awaitLeader(100);
    long term = leader.currentTerm();
    NodeId lonely = isolateAFollowerFor200Rounds(cluster, leader);
    assertThat(cluster.node(lonely).orElseThrow().currentTerm()).isGreaterThan(term + 5);
    cluster.heal();
    cluster.runUntil(
        "the old term is over",
        () -> cluster.leader().isPresent() && cluster.leader().get().currentTerm() > term,
        200);
  }

  /**
   * Thesis §9.6, even without check-quorum: a node that hears its leader refuses pre-votes, so a
   * node cut off from the leader alone (an asymmetric partition) cannot depose it through us.
   */
  @Test
  void preVoteIsRefusedWhileLeaderIsLive_evenWithoutCheckQuorum_9_6() {
    InMemoryCluster cluster =
        InMemoryCluster.create(3, 5, b -> b.preVote(true).checkQuorum(false), id -> CoreLog.SILENT);
    RaftNode leader = cluster.awaitLeader(100);
    long term = leader.currentTerm();
    NodeId lonely = LeadershipTransferTest.otherThan(cluster, leader.id());
    cluster.cutLink(lonely, leader.id());
    cluster.cutLink(leader.id(), lonely);
    assertLeaderHoldsFor50Rounds(cluster, leader, term);
  }

  /** A forced campaign must not undercut a live leader's lease (see RaftNode#campaign). */
  @Test
  void campaignIsRefusedInsideALeaseOfALiveLeader() {
    InMemoryCluster cluster =
        InMemoryCluster.create(3, 6, b -> b.leaseReads(true), id -> CoreLog.SILENT);
    RaftNode leader = cluster.awaitLeader(100);
    cluster.round(1000);
    RaftNode follower =
        cluster.node(LeadershipTransferTest.otherThan(cluster, leader.id())).orElseThrow();
    assertThat(follower.campaign()).isFalse();
    assertThat(follower.role()).isEqualTo(Role.FOLLOWER);
  }

  private static void assertLeaderHoldsFor50Rounds(
      InMemoryCluster cluster, RaftNode leader, long term) {
    for (int i = 0; i < 50; i++) {
      cluster.round(1000);
    }
    assertThat(cluster.leader())
        .hasValueSatisfying(
            l -> {
              assertThat(l.id()).isEqualTo(leader.id());
              assertThat(l.currentTerm()).isEqualTo(term);
            });
  }

  private static NodeId isolateAFollowerFor200Rounds(InMemoryCluster cluster, RaftNode leader) {
    NodeId lonely = LeadershipTransferTest.otherThan(cluster, leader.id());
    cluster.isolate(lonely);
    for (int i = 0; i < 200; i++) {
      cluster.round(1000);
    }
    return lonely;
  }

  /** Thesis §6.2: a leader that hears from no majority for an election timeout steps down. */
  @Test
  void isolatedLeaderStepsDown_checkQuorum_6_2() {
    InMemoryCluster cluster = InMemoryCluster.create(3, 9);
    RaftNode leader = cluster.awaitLeader(100);
    cluster.isolate(leader.id());
    int rounds = 0;
    while (leader.role() == Role.LEADER && rounds < 100) {
      cluster.round(1000);
      rounds++;
    }
    assertThat(leader.role()).isEqualTo(Role.FOLLOWER);
    // It had to wait at least one election timeout, and not much more than two.
    assertThat(rounds).isBetween(10, 21);
  }

  /** Without check-quorum the isolated leader would stay leader forever: the rule is needed. */
  @Test
  void withoutCheckQuorumIsolatedLeaderStaysLeader() {
    InMemoryCluster cluster =
        InMemoryCluster.create(3, 9, b -> b.checkQuorum(false), id -> CoreLog.SILENT);
    RaftNode leader = cluster.awaitLeader(100);
    cluster.isolate(leader.id());
    for (int i = 0; i < 100; i++) {
      cluster.round(1000);
    }
    assertThat(leader.role()).isEqualTo(Role.LEADER);
  }

  /**
   * Thesis §6.2 / §4.2.3: under check-quorum a follower that heard from its leader within the
   * election timeout ignores a vote request, even one with a higher term.
   */
  @Test
  void followerWithLiveLeaderIgnoresVoteRequests_checkQuorum() {
    InMemoryCluster cluster = InMemoryCluster.create(3, 21);
    RaftNode leader = cluster.awaitLeader(100);
    RaftNode follower =
        cluster.upNodes().stream().filter(n -> n != leader).findFirst().orElseThrow();
    long term = follower.currentTerm();
    NodeId other =
        cluster.ids().stream()
            .filter(id -> !id.equals(leader.id()) && !id.equals(follower.id()))
            .findFirst()
            .orElseThrow();
    follower.step(
        new RequestVote(term + 1, other, follower.id(), 100, term, Message.VoteKind.VOTE));
    assertThat(follower.currentTerm()).isEqualTo(term);
    assertThat(only(VoteReply.class, drain(follower))).isEmpty();
  }
}
