package io.raftkv.raft;

import java.util.Arrays;

/**
 * A state-machine image covering the log through {@code index} (whose entry had {@code term}), and
 * the configuration in force at that point. {@code data} is opaque to the core.
 */
public record Snapshot(long index, long term, Configuration configuration, byte[] data) {
  public Snapshot {
    if (index < 0 || term < 0 || (index == 0) != (term == 0)) {
      throw new IllegalArgumentException("bad snapshot position index=" + index + " term=" + term);
    }
    if (configuration == null || data == null) {
      throw new IllegalArgumentException("snapshot configuration and data must not be null");
    }
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Snapshot s
        && s.index == index
        && s.term == term
        && s.configuration.equals(configuration)
        && Arrays.equals(s.data, data);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(index) * 31 + Long.hashCode(term) + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "Snapshot["
        + index
        + "@"
        + term
        + " "
        + configuration.voters()
        + " "
        + data.length
        + "B]";
  }
}
