package io.raftkv.raft;

public enum Role {
  FOLLOWER,
  /** Thesis §9.6: polling whether an election could succeed, without touching any term. */
  PRE_CANDIDATE,
  CANDIDATE,
  LEADER
}
