package io.raftkv.raft;

/** A cluster member's identity. Ids are positive; {@link #NONE} stands for "nobody" (no vote). */
public record NodeId(int value) implements Comparable<NodeId> {
  public static final NodeId NONE = new NodeId(0);

  public NodeId {
    if (value < 0) {
      throw new IllegalArgumentException("node id must be >= 0, got " + value);
    }
  }

  public static NodeId of(int value) {
    return new NodeId(value);
  }

  public boolean isNone() {
    return value == 0;
  }

  @Override
  public int compareTo(NodeId other) {
    return Integer.compare(value, other.value);
  }

  @Override
  public String toString() {
    return isNone() ? "none" : "n" + value;
  }
}
