package io.raftkv.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Progress transitions (etcd's MaybeUpdate/MaybeDecrTo) and their always-on checks. */
class ProgressTest {

  @Test
  void probeMatchesThenStreamsWithinTheWindow() {
    Progress pr = new Progress(11, 2);
    pr.appendSent(10);
    assertThat(pr.canSendAppend()).isFalse();
    assertThat(pr.appendAccepted(10)).isTrue();
    assertThat(pr.state()).isEqualTo(Progress.State.REPLICATE);
    pr.appendSent(12);
    pr.appendSent(14);
    assertThat(pr.nextIndex()).isEqualTo(15);
    assertThat(pr.canSendAppend()).isFalse();
    pr.appendAccepted(12);
    assertThat(pr.canSendAppend()).isTrue();
    assertThat(pr.appendAccepted(11)).as("an older reply is old news").isFalse();
  }

  /** A rejection of an append this state no longer waits for changes nothing. */
  @Test
  void staleRejectionIsIgnoredAndAFreshOneProbesBack() {
    Progress pr = new Progress(11, 4);
    pr.appendAccepted(5);
    pr.appendSent(8);
    assertThat(pr.maybeDecrTo(4, 3)).as("at or below the match").isFalse();
    assertThat(pr.maybeDecrTo(6, 3)).isTrue();
    assertThat(pr.state()).isEqualTo(Progress.State.PROBE);
    assertThat(pr.nextIndex()).as("never below match + 1").isEqualTo(6);
  }

  @Test
  void snapshotEndsInProbeOnceInstalled() {
    Progress pr = new Progress(3, 4);
    pr.becomeSnapshot(new Snapshot(20, 2, Configuration.ofIds(1, 2), new byte[0]));
    assertThat(pr.canSendAppend()).isFalse();
    assertThat(pr.snapshotChunkAcked(19, 100)).as("another image").isFalse();
    assertThat(pr.snapshotChunkAcked(20, 100)).isTrue();
    pr.snapshotInstalled(20);
    assertThat(pr.state()).isEqualTo(Progress.State.PROBE);
    assertThat(pr.matchIndex()).isEqualTo(20);
    assertThat(pr.nextIndex()).isEqualTo(21);
  }

  @Test
  void inflightsRefuseAnAddWhenFullOrOutOfOrder() {
    Inflights inflights = new Inflights(2);
    inflights.add(5);
    assertThatThrownBy(() -> inflights.add(5)).isInstanceOf(InvariantViolation.class);
    inflights.add(7);
    assertThatThrownBy(() -> inflights.add(9)).isInstanceOf(InvariantViolation.class);
    inflights.freeThrough(6);
    assertThat(inflights.count()).isEqualTo(1);
  }

  @Test
  void anAppendReportedBehindNextIsABug() {
    Progress pr = new Progress(11, 4);
    assertThatThrownBy(() -> pr.appendSent(8)).isInstanceOf(InvariantViolation.class);
  }
}
