package io.raftkv.raft;

/**
 * What a node is and whom it follows: volatile, never persisted (etcd-io/raft's SoftState). A
 * {@link Ready} carries it when either changed since the previous Ready, so a server and its
 * metrics learn of elections and leader changes without polling the core.
 *
 * @param leader the leader of the node's current term as far as it knows, or {@link NodeId#NONE}
 */
public record SoftState(Role role, NodeId leader) {}
