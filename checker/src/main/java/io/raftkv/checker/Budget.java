package io.raftkv.checker;

import java.time.Duration;

/**
 * How much a check may spend before it answers {@code unknown}: wall time for the whole history,
 * and the number of search configurations held at once (live ones plus those a closure has
 * visited), which bounds memory whatever the input.
 *
 * @param timeout wall time for one history, all keys together
 * @param configurationsMax configurations held at once; each costs roughly 100–500 bytes
 */
public record Budget(Duration timeout, int configurationsMax) {
  /** One minute and a million configurations: well inside a 2 GB heap. */
  public static final Budget DEFAULT = new Budget(Duration.ofMinutes(1), 1_000_000);

  public Budget {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
    if (configurationsMax < 1) {
      throw new IllegalArgumentException(
          "configurationsMax must be positive, got " + configurationsMax);
    }
  }
}
