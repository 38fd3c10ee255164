package io.raftkv.server;

import io.etcd.jetcd.api.MaintenanceGrpc;
import io.etcd.jetcd.api.ResponseHeader;
import io.etcd.jetcd.api.StatusRequest;
import io.etcd.jetcd.api.StatusResponse;
import io.grpc.stub.StreamObserver;
import io.raftkv.raft.RaftStatus;

/**
 * Maintenance.Status alone, until the etcd API lands (ApiBinding): lets a test or an operator see
 * who leads and in which term. The full service replaces it.
 */
final class LivenessMaintenance extends MaintenanceGrpc.MaintenanceImplBase {
  private final NodeContext node;

  LivenessMaintenance(NodeContext node) {
    this.node = node;
  }

  @Override
  public void status(StatusRequest request, StreamObserver<StatusResponse> response) {
    RaftStatus status = node.raftStatus();
    response.onNext(
        StatusResponse.newBuilder()
            .setHeader(
                ResponseHeader.newBuilder()
                    .setClusterId(node.clusterId())
                    .setMemberId(node.memberId())
                    .setRaftTerm(status.currentTerm()))
            .setVersion("3.4.23")
            .setDbSize(node.storageBytes())
            .setLeader(node.leader().map(Member::id).orElse(0L))
            .setRaftIndex(status.commitIndex())
            .setRaftTerm(status.currentTerm())
            .setRaftAppliedIndex(status.appliedIndex())
            .build());
    response.onCompleted();
  }
}
