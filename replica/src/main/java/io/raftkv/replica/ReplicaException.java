package io.raftkv.replica;

import io.raftkv.raft.NodeId;
import io.raftkv.raft.ProposeResult;
import io.raftkv.raft.RaftConfig;

/**
 * Why a replica did not carry out a request. {@link #definite()} tells a client (and a history)
 * whether the request certainly did not take effect, or may have.
 */
public final class ReplicaException extends RuntimeException {
  public enum Kind {
    /** This node is not the leader; {@link #leaderHint()} names the one it believes in. */
    NOT_LEADER(true),
    /** No leader is known: an election is under way. */
    NO_LEADER(true),
    /** A bound on pending work is reached; retry later. */
    OVERLOADED(true),
    /** The request is larger than an entry may be. */
    TOO_LARGE(true),
    /** Leadership is moving to another node (thesis §3.10); retry there. */
    TRANSFERRING_LEADERSHIP(true),
    /** The entry was overwritten by another leader's: it was never applied. */
    DROPPED(true),
    /** The replica stopped (shut down, or a disk failure) with the request in flight. */
    STOPPED(false),
    /** The request was in flight when a snapshot replaced the log: its fate is unknown. */
    OUTCOME_UNKNOWN(false);

    private final boolean definite;

    Kind(boolean definite) {
      this.definite = definite;
    }
  }

  private final Kind kind;
  private final NodeId leaderHint;

  public ReplicaException(Kind kind, NodeId leaderHint, String message) {
    super(message);
    this.kind = kind;
    this.leaderHint = leaderHint;
  }

  static ReplicaException notLeader(NodeId self, NodeId leaderHint) {
    return leaderHint.isNone()
        ? new ReplicaException(Kind.NO_LEADER, leaderHint, self + ": no leader")
        : new ReplicaException(
            Kind.NOT_LEADER, leaderHint, self + ": not leader (leader is " + leaderHint + ")");
  }

  /** The replica stopped with the request in flight, or before it arrived. */
  static ReplicaException stopped(NodeId self) {
    return new ReplicaException(Kind.STOPPED, NodeId.NONE, self + ": stopped");
  }

  /** The core refused a proposal, a read index or a transfer before anything was appended. */
  static ReplicaException refused(RaftConfig raft, ProposeResult.Rejected rejected) {
    NodeId self = raft.id();
    NodeId hint = rejected.leaderHint();
    return switch (rejected.reason()) {
      case NOT_LEADER -> notLeader(self, hint);
      case TRANSFERRING_LEADERSHIP ->
          new ReplicaException(
              Kind.TRANSFERRING_LEADERSHIP, hint, self + ": leadership is being transferred");
      case OVERLOADED -> new ReplicaException(Kind.OVERLOADED, hint, self + ": overloaded");
      case TOO_LARGE ->
          new ReplicaException(
              Kind.TOO_LARGE,
              hint,
              self + ": entry larger than " + raft.entryBytesMax() + " bytes");
      case UNKNOWN_NODE -> new ReplicaException(Kind.NOT_LEADER, hint, self + ": unknown node");
    };
  }

  public Kind kind() {
    return kind;
  }

  public NodeId leaderHint() {
    return leaderHint;
  }

  /** True when the request certainly did not take effect (a history's {@code fail}). */
  public boolean definite() {
    return kind.definite;
  }
}
