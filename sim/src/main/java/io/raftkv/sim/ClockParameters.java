package io.raftkv.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Every node's clock, n1 first, and whether this seed pushed their drift near the bound.
 *
 * @param skews one per node, in node order
 * @param driftNearBound every clock runs between half the bound and the bound fast or slow
 */
record ClockParameters(List<ClockSkew> skews, boolean driftNearBound) {
  private static final long MS = 1_000_000;

  ClockParameters {
    skews = List.copyOf(skews);
  }

  ClockSkew skew(int nodeIndex) {
    return skews.get(nodeIndex);
  }

  /** Each node's drift within the bound, then its offset; the first draws of a seed. */
  static List<ClockSkew> drawSkews(SimOptions options, SplittableRandom random) {
    List<ClockSkew> skews = new ArrayList<>();
    long bound = options.clockDriftPpmMax();
    for (int i = 0; i < options.nodes(); i++) {
      long driftPpm = bound == 0 ? 0 : random.nextLong(-bound, bound + 1);
      skews.add(new ClockSkew(random.nextLong(0, 1_000_000 * MS), driftPpm));
    }
    return skews;
  }

  /**
   * Clock drift near the bound (1 seed in 3): every clock runs between half the bound and the bound
   * fast or slow, so a fast follower and a slow leader disagree by up to twice it.
   */
  static ClockParameters draw(List<ClockSkew> skews, SimOptions options, SplittableRandom random) {
    boolean nearBound = options.faultOn("clock-drift", random.nextInt(3) == 0);
    if (!nearBound) {
      return new ClockParameters(skews, false);
    }
    long bound = options.clockDriftPpmMax();
    List<ClockSkew> pushed = new ArrayList<>();
    for (ClockSkew skew : skews) {
      long drift = skew.driftPpm();
      pushed.add(
          new ClockSkew(
              skew.offsetNanos(), (drift < 0 ? -1 : 1) * (bound / 2 + Math.abs(drift) / 2)));
    }
    return new ClockParameters(pushed, true);
  }
}
