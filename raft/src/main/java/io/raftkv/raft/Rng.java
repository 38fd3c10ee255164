package io.raftkv.raft;

import java.util.SplittableRandom;

/**
 * The core's only source of randomness (election jitter), injected so that a seed replays a run.
 */
public interface Rng {
  /** A uniformly drawn int in {@code [0, bound)}. */
  int nextInt(int bound);

  static Rng seeded(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    return random::nextInt;
  }
}
