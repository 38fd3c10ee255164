package io.raftkv.raft;

import static io.raftkv.raft.Nodes.n;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftkv.raft.Tracker.VoteResult;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The quorum arithmetic, checked against counting by hand. */
class TrackerTest {

  /** §5.3: the commit index is the highest match index a majority holds, the leader included. */
  @Test
  void committedIndexIsWhatAMajorityHolds() {
    Tracker tracker = new Tracker(n(1), Configuration.ofIds(1, 2, 3, 4, 5));
    tracker.resetProgress(1, 4);
    tracker.progress(n(2)).maybeUpdate(7);
    tracker.progress(n(3)).maybeUpdate(4);
    tracker.progress(n(4)).maybeUpdate(9);
    // Sorted: 0, 4, 7, 9, 10 -> three of five hold 7.
    assertThat(tracker.committedIndex(10)).isEqualTo(7);
    // The leader's own copy counts only as far as it is durable.
    assertThat(tracker.committedIndex(5)).isEqualTo(5);
  }

  /** §5.2: a majority of grants wins, a majority of refusals loses, a vote counts once. */
  @Test
  void voteResultNeedsAMajorityEitherWay() {
    Tracker tracker = new Tracker(n(1), Configuration.ofIds(1, 2, 3, 4, 5));
    assertThat(tracker.recordVote(n(1), true)).isEqualTo(VoteResult.PENDING);
    assertThat(tracker.recordVote(n(2), false)).isEqualTo(VoteResult.PENDING);
    assertThat(tracker.recordVote(n(2), true)).isEqualTo(VoteResult.PENDING);
    assertThat(tracker.recordVote(n(3), false)).isEqualTo(VoteResult.PENDING);
    assertThat(tracker.recordVote(n(4), false)).isEqualTo(VoteResult.LOST);
    tracker.resetVotes();
    tracker.recordVote(n(1), true);
    tracker.recordVote(n(4), true);
    assertThat(tracker.recordVote(n(5), true)).isEqualTo(VoteResult.WON);
  }

  /** Thesis §6.2: the leader and a majority of the rest must have been heard from. */
  @Test
  void quorumActiveCountsTheLeaderAndFollowersHeardFrom() {
    Tracker tracker = new Tracker(n(1), Configuration.ofIds(1, 2, 3));
    tracker.resetProgress(1, 4);
    assertThat(tracker.quorumActive()).isFalse();
    tracker.progress(n(3)).markActive();
    assertThat(tracker.quorumActive()).isTrue();
    tracker.resetRecentActive();
    assertThat(tracker.quorumActive()).isFalse();
  }

  /** Thesis §6.4: a round confirms once a majority echoed it or a later one. */
  @Test
  void confirmedRoundAndLeaseStartAreTheMajoritysOldest() {
    Tracker tracker = new Tracker(n(1), Configuration.ofIds(1, 2, 3));
    tracker.resetProgress(1, 4);
    assertThat(tracker.leaseStartTick(50)).isEqualTo(-1);
    tracker.progress(n(2)).heartbeatAcked(3, 40);
    tracker.progress(n(3)).heartbeatAcked(5, 44);
    assertThat(tracker.confirmedRound(6)).isEqualTo(5);
    assertThat(tracker.leaseStartTick(50)).isEqualTo(44);
  }

  /**
   * etcd's quorum/quick_test.go habit: the commit index against a naive oracle, the largest index
   * that at least a majority of voters hold, over seeded random clusters of 1 to 7 voters.
   */
  @Test
  void committedIndexMatchesANaiveCount() {
    SplittableRandom random = new SplittableRandom(12);
    for (int round = 0; round < 2_000; round++) {
      int voterCount = 1 + random.nextInt(7);
      int[] ids = new int[voterCount];
      for (int i = 0; i < voterCount; i++) {
        ids[i] = i + 1;
      }
      Tracker tracker = new Tracker(n(1), Configuration.ofIds(ids));
      tracker.resetProgress(1, 4);
      long[] matches = new long[voterCount];
      matches[0] = random.nextInt(20);
      for (int i = 1; i < voterCount; i++) {
        matches[i] = random.nextInt(20);
        tracker.progress(n(i + 1)).maybeUpdate(matches[i]);
      }
      long naive = 0;
      for (long candidate = 0; candidate < 20; candidate++) {
        int holding = 0;
        for (long match : matches) {
          holding += match >= candidate ? 1 : 0;
        }
        if (holding > voterCount / 2) {
          naive = candidate;
        }
      }
      assertThat(tracker.committedIndex(matches[0])).as("round %d", round).isEqualTo(naive);
    }
  }
}
