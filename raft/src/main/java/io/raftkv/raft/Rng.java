package io.raftkv.raft;

import java.util.SplittableRandom;

/**
 * The core's only source of randomness, injected so that a seed replays a run. Hosts give each
 * incarnation of a node its own seed (production: a random one), because forwarded-read ids are
 * drawn from it and must not repeat across a restart.
 */
public interface Rng {
  /** A uniformly drawn int in {@code [0, bound)}. */
  int nextInt(int bound);

  /**
   * A second stream for a component that draws rarely, so that adding a draw there leaves the
   * election jitter of every recorded seed unchanged. The default shares this stream.
   */
  default Rng fork() {
    return this;
  }

  static Rng seeded(long seed) {
    return new Seeded(seed);
  }

  /** A {@link SplittableRandom} stream whose fork is seeded from a mix of its own seed. */
  final class Seeded implements Rng {
    private static final long FORK_SALT = 0x9E37_79B9_7F4A_7C15L;
    private final long seed;
    private final SplittableRandom random;

    private Seeded(long seed) {
      this.seed = seed;
      this.random = new SplittableRandom(seed);
    }

    @Override
    public int nextInt(int bound) {
      return random.nextInt(bound);
    }

    @Override
    public Rng fork() {
      return new Seeded(Long.rotateLeft(seed, 17) ^ FORK_SALT);
    }
  }
}
