package io.raftkv.chaos;

import io.etcd.jetcd.api.StatusResponse;

/**
 * What a member says of itself through {@code Maintenance.Status} (etcd's fields, so a real etcd
 * answers the same).
 *
 * @param leaderId the member id of the leader it knows, 0 for none
 */
public record NodeStatus(
    long memberId,
    long leaderId,
    long term,
    long commitIndex,
    long appliedIndex,
    String version,
    long dbSizeBytes) {
  static NodeStatus of(StatusResponse response) {
    return new NodeStatus(
        response.getHeader().getMemberId(),
        response.getLeader(),
        response.getRaftTerm(),
        response.getRaftIndex(),
        response.getRaftAppliedIndex(),
        response.getVersion(),
        response.getDbSize());
  }

  public boolean isLeader() {
    return leaderId != 0 && leaderId == memberId;
  }
}
