package io.raftkv.raft;

import static io.raftkv.raft.Nodes.n;
import static io.raftkv.raft.Nodes.only;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkv.raft.Message.AppendEntries;
import io.raftkv.raft.Message.AppendReply;
import io.raftkv.raft.Message.RequestVote;
import io.raftkv.raft.Message.VoteReply;
import io.raftkv.raft.testkit.SafetyChecker;
import io.raftkv.raft.testkit.SafetyViolation;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The bugs whose windows random runs rarely open, each driven into its window on purpose: the
 * harness's checks then catch it, and the same scenario without the bug stays safe. (The other
 * switches are caught by random runs: {@link CoreBugsAreCaughtTest}.)
 */
class CoreBugScenariosTest {

  /**
   * §5.2: a vote sent before it is durable, then a crash, lets the voter vote again in the same
   * term: two leaders in one term.
   */
  @Test
  void voteBeforePersistPlusCrashElectsTwoLeadersInOneTerm() {
    assertThatThrownBy(() -> voteThenCrash(Set.of(CoreBug.VOTE_BEFORE_PERSIST)))
        .isInstanceOf(SafetyViolation.class)
        .hasMessageContaining("election safety");
    voteThenCrash(Set.of()); // without the bug the vote never left: one leader at most
  }

  private static void voteThenCrash(Set<CoreBug> bugs) {
    RaftNode n2 = node(2, bugs);
    RaftNode n3 = node(3, bugs);
    RaftNode voter = node(1, bugs);
    n2.campaign();
    RequestVote fromN2 = only(RequestVote.class, n2.ready().sendAfterPersist()).get(0);
    voter.step(fromN2);
    // What left before the (never completed) fsync; then the voter crashes.
    List<VoteReply> leaked = only(VoteReply.class, voter.ready().sendNow());
    voter = node(1, bugs);
    leaked.forEach(n2::step);
    n3.campaign();
    voter.step(only(RequestVote.class, n3.ready().sendAfterPersist()).get(0));
    Ready second = voter.ready();
    only(VoteReply.class, second.sendNow()).forEach(n3::step);
    only(VoteReply.class, second.sendAfterPersist()).forEach(n3::step);
    new SafetyChecker().check(List.of(n2, n3));
  }

  /**
   * §5.4.2, Figure 8 (c): with the bug, the term-4 leader commits 2@2 once it sits on a majority,
   * before its own no-op does; {@link
   * CommitmentTest#earlierTermEntryOnMajorityCanStillBeOverwritten_figure8d} shows S5 can then
   * overwrite that "committed" entry. Without the bug nothing commits yet.
   */
  @Test
  void countingCommitsAnEarlierTermEntryOnAMajority_figure8() {
    assertThat(
            commitAfterEarlierTermEntryReachesMajority(
                Set.of(CoreBug.COMMIT_EARLIER_TERM_BY_COUNTING)))
        .isEqualTo(2);
    assertThat(commitAfterEarlierTermEntryReachesMajority(Set.of())).isZero();
  }

  private static long commitAfterEarlierTermEntryReachesMajority(Set<CoreBug> bugs) {
    RaftNode s1 =
        new RaftNode(
            Nodes.config(1, 5).preVote(false).checkQuorum(false).build(),
            Nodes.logWithTerms(3, 1, 2),
            Rng.seeded(1),
            CoreLog.SILENT,
            bugs);
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
    Nodes.drain(s1);
    s1.step(AppendReply.accepted(4, n(2), n(1), 2));
    s1.step(AppendReply.accepted(4, n(3), n(1), 2));
    Nodes.drain(s1);
    return s1.commitIndex();
  }

  /**
   * §5.1: a follower that accepts AppendEntries from a deposed leader overwrites an entry it
   * already acknowledged to the current leader, which counted it towards commitment.
   */
  @Test
  void staleTermAppendOverwritesAnAcknowledgedEntry() {
    assertThat(entryTwoAfterStaleAppend(Set.of(CoreBug.ACCEPT_STALE_TERM_APPEND)).term())
        .isEqualTo(1);
    assertThat(entryTwoAfterStaleAppend(Set.of()).term()).isEqualTo(2);
  }

  private static Entry entryTwoAfterStaleAppend(Set<CoreBug> bugs) {
    RaftNode follower = node(3, bugs);
    Entry fromCurrentLeader = Entry.command(2, 2, "current".getBytes());
    follower.step(
        new AppendEntries(2, n(2), n(3), 0, 0, List.of(Entry.noop(1, 1), fromCurrentLeader), 1));
    assertThat(only(AppendReply.class, Nodes.drain(follower)))
        .singleElement()
        .satisfies(ack -> assertThat(ack.matchIndex()).isEqualTo(2));
    follower.step(
        new AppendEntries(
            1, n(1), n(3), 1, 1, List.of(Entry.command(1, 2, "stale".getBytes())), 1));
    Nodes.drain(follower);
    return follower.entry(2).orElseThrow();
  }

  /**
   * Thesis §6.4.1: without the drift margin a lease outlives the followers' promise when their
   * clocks run fast (within the configured bound), and a deposed leader serves a stale read.
   */
  @Test
  void leaseWithoutDriftBoundServesStaleReadUnderDrift() {
    assertThatThrownBy(
            () ->
                ReadIndexTest.deposedLeaderReadWindows(
                    40, Set.of(CoreBug.LEASE_WITHOUT_DRIFT_BOUND), true))
        .isInstanceOf(SafetyViolation.class)
        .hasMessageContaining("stale read");
  }

  private static RaftNode node(int id, Set<CoreBug> bugs) {
    return new RaftNode(
        Nodes.config(id, 3).preVote(false).checkQuorum(false).build(),
        DurableState.empty(),
        Rng.seeded(id),
        CoreLog.SILENT,
        bugs);
  }
}
