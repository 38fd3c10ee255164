package io.raftkv.raft;

/** Why the core refused a proposal, read or transfer. All are definite: nothing was appended. */
public enum RejectReason {
  NOT_LEADER,
  /** Thesis §3.10: proposals wait while leadership moves to another node. */
  TRANSFERRING_LEADERSHIP,
  /** A bound on uncommitted bytes or pending reads is reached; retry later. */
  OVERLOADED,
  /** An entry exceeds {@code entryBytesMax}. */
  TOO_LARGE,
  UNKNOWN_NODE
}
