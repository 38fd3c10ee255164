package io.raftkv.server.etcd;

import io.etcd.jetcd.api.ResponseHeader;
import io.raftkv.replica.Replica;
import io.raftkv.server.NodeContext;
import java.util.concurrent.CompletableFuture;

/** etcd's ResponseHeader: cluster id, member id, revision and Raft term, on every response. */
final class Headers {
  private final NodeContext node;

  Headers(NodeContext node) {
    this.node = node;
  }

  /** At {@code revision} (a state machine answer's), with the term as of the node's last tick. */
  ResponseHeader at(long revision) {
    return at(revision, node.raftStatus().currentTerm());
  }

  ResponseHeader at(long revision, long term) {
    return ResponseHeader.newBuilder()
        .setClusterId(node.clusterId())
        .setMemberId(node.memberId())
        .setRevision(revision)
        .setRaftTerm(term)
        .build();
  }

  /** At the replica's current revision and term, read on its event loop. */
  CompletableFuture<ResponseHeader> current() {
    CompletableFuture<ResponseHeader> header = new CompletableFuture<>();
    node.loop().execute(() -> header.complete(onLoop()));
    return header;
  }

  /** As {@link #current()}, for a caller already on the event loop. */
  ResponseHeader onLoop() {
    Replica replica = node.replica();
    return at(replica.revision(), replica.raftStatus().currentTerm());
  }
}
