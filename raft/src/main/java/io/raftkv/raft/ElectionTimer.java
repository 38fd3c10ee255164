package io.raftkv.raft;

/**
 * A node's election clock (§5.2): ticks since it last heard from a leader or granted a vote,
 * against a timeout drawn afresh from [electionTimeout, 2 × electionTimeout) on every {@link
 * #reset()}, so that split votes do not repeat. A leader uses the same count for its check-quorum
 * period (thesis §6.2), always of exactly one election timeout.
 */
final class ElectionTimer {
  private final RaftConfig config;
  private final Rng rng;
  private int elapsedTicks;
  private int randomizedTimeoutTicks;

  /** Draws nothing: the first {@link #reset()} draws, so the caller orders its random draws. */
  ElectionTimer(RaftConfig config, Rng rng) {
    this.config = config;
    this.rng = rng;
  }

  void tick() {
    elapsedTicks++;
  }

  /** Starts counting again towards a newly drawn timeout. */
  void reset() {
    elapsedTicks = 0;
    randomizedTimeoutTicks =
        config.electionTimeoutTicks() + rng.nextInt(config.electionTimeoutTicks());
  }

  /** Starts counting again towards the same timeout: a sign of life, not a new term. */
  void restart() {
    elapsedTicks = 0;
  }

  /** A follower or candidate waited its randomized timeout: time to campaign. */
  boolean randomizedTimeoutElapsed() {
    return elapsedTicks >= randomizedTimeoutTicks;
  }

  /** A full (minimum) election timeout passed since the last restart. */
  boolean electionTimeoutElapsed() {
    return elapsedTicks >= config.electionTimeoutTicks();
  }
}
