package io.raftkv.server.etcd;

import io.etcd.jetcd.api.AlarmMember;
import io.etcd.jetcd.api.AlarmRequest;
import io.etcd.jetcd.api.AlarmResponse;
import io.etcd.jetcd.api.DefragmentRequest;
import io.etcd.jetcd.api.DefragmentResponse;
import io.etcd.jetcd.api.HashKVRequest;
import io.etcd.jetcd.api.HashKVResponse;
import io.etcd.jetcd.api.HashRequest;
import io.etcd.jetcd.api.HashResponse;
import io.etcd.jetcd.api.MaintenanceGrpc;
import io.etcd.jetcd.api.MoveLeaderRequest;
import io.etcd.jetcd.api.MoveLeaderResponse;
import io.etcd.jetcd.api.SnapshotRequest;
import io.etcd.jetcd.api.SnapshotResponse;
import io.etcd.jetcd.api.StatusRequest;
import io.etcd.jetcd.api.StatusResponse;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.raftkv.kv.KvErrorCode;
import io.raftkv.kv.KvException;
import io.raftkv.kv.KvSnapshot;
import io.raftkv.raft.RaftStatus;
import io.raftkv.raft.Role;
import io.raftkv.server.AlarmState;
import io.raftkv.server.Member;
import io.raftkv.server.NodeContext;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * etcd's Maintenance service. Status reads the replica on its loop; Hash and HashKV hash a pinned
 * image of the state machine off the loop ({@link KvSnapshot#hashKv}), so members that applied the
 * same log answer the same; Snapshot streams that image ({@link SnapshotStream}); alarms are this
 * member's ({@link AlarmState}); Defragment has nothing to do (no B-tree file to compact).
 */
final class MaintenanceService extends MaintenanceGrpc.MaintenanceImplBase {
  /** The etcd release whose API and answers this server matches, reported by Status. */
  static final String ETCD_VERSION = "3.4.23";

  private static final Duration LEADER_TRANSFER_POLL = Duration.ofMillis(10);

  private final NodeContext node;
  private final Headers headers;
  private final Executor responder;

  MaintenanceService(NodeContext node, Executor responder) {
    this.node = node;
    this.headers = new Headers(node);
    this.responder = responder;
  }

  @Override
  public void status(StatusRequest request, StreamObserver<StatusResponse> out) {
    CompletableFuture<StatusResponse> status = new CompletableFuture<>();
    node.loop()
        .execute(
            () -> {
              RaftStatus raft = node.replica().raftStatus();
              status.complete(status(raft, headers.onLoop()));
            });
    Replies.reply(status, out);
  }

  private StatusResponse status(RaftStatus raft, io.etcd.jetcd.api.ResponseHeader header) {
    long leader = member(raft.leader()).map(Member::id).orElse(0L);
    StatusResponse.Builder out =
        StatusResponse.newBuilder()
            .setHeader(header)
            .setVersion(ETCD_VERSION)
            .setDbSize(node.storageBytes())
            .setDbSizeInUse(node.storageBytes())
            .setLeader(leader)
            .setRaftIndex(raft.commitIndex())
            .setRaftTerm(raft.currentTerm())
            .setRaftAppliedIndex(raft.appliedIndex());
    if (leader == 0) {
      out.addErrors(EtcdErrors.NO_LEADER);
    }
    for (AlarmState.Alarm alarm : node.alarms().active()) {
      out.addErrors("memberID:" + alarm.memberId() + " alarm:" + alarm.type() + " ");
    }
    return out.build();
  }

  private Optional<Member> member(io.raftkv.raft.NodeId raftId) {
    return node.members().stream().filter(m -> m.raftId().equals(raftId)).findFirst();
  }

  @Override
  public void hash(HashRequest request, StreamObserver<HashResponse> out) {
    Replies.reply(
        hashAt(0)
            .thenApply(
                hashed ->
                    HashResponse.newBuilder()
                        .setHeader(hashed.header())
                        .setHash(hashed.hash())
                        .build()),
        out);
  }

  @Override
  public void hashKV(HashKVRequest request, StreamObserver<HashKVResponse> out) {
    Replies.reply(
        hashAt(request.getRevision())
            .thenApply(
                hashed ->
                    HashKVResponse.newBuilder()
                        .setHeader(hashed.header())
                        .setHash(hashed.hash())
                        .setCompactRevision(hashed.compactRevision())
                        .build()),
        out);
  }

  private record Hashed(io.etcd.jetcd.api.ResponseHeader header, int hash, long compactRevision) {}

  /** etcd's HashKV(revision): 0 is the current revision; outside history is etcd's error. */
  private CompletableFuture<Hashed> hashAt(long revision) {
    return node.replica()
        .stateImage()
        .thenApplyAsync(
            image -> {
              try (image) {
                long at = revision > 0 ? revision : image.revision();
                if (at > image.revision()) {
                  throw new KvException(KvErrorCode.FUTURE_REVISION, "hash at " + at);
                }
                if (at < image.compactRevision()) {
                  throw new KvException(KvErrorCode.COMPACTED, "hash at " + at);
                }
                return new Hashed(
                    headers.at(image.revision()), image.hashKv(at), image.compactRevision());
              }
            },
            responder);
  }

  @Override
  public void snapshot(SnapshotRequest request, StreamObserver<SnapshotResponse> out) {
    SnapshotStream.start(
        node, headers, (ServerCallStreamObserver<SnapshotResponse>) out, responder);
  }

  @Override
  public void alarm(AlarmRequest request, StreamObserver<AlarmResponse> out) {
    Optional<AlarmState.Type> type =
        switch (request.getAlarmValue()) {
          case 1 -> Optional.of(AlarmState.Type.NOSPACE);
          case 2 -> Optional.of(AlarmState.Type.CORRUPT);
          default -> Optional.empty();
        };
    List<AlarmState.Alarm> answered =
        switch (request.getActionValue()) {
          case 1 -> { // ACTIVATE
            type.ifPresent(t -> node.alarms().raise(t, "requested by a client"));
            yield type.map(t -> List.of(new AlarmState.Alarm(node.memberId(), t)))
                .orElse(List.of());
          }
          case 2 -> { // DEACTIVATE
            boolean disarmed = type.map(t -> node.alarms().disarm(t)).orElse(false);
            yield disarmed ? List.of(new AlarmState.Alarm(node.memberId(), type.get())) : List.of();
          }
          default -> node.alarms().active(); // GET
        };
    Replies.reply(
        headers
            .current()
            .thenApply(
                header -> {
                  AlarmResponse.Builder response = AlarmResponse.newBuilder().setHeader(header);
                  for (AlarmState.Alarm alarm : answered) {
                    response.addAlarms(
                        AlarmMember.newBuilder()
                            .setMemberID(alarm.memberId())
                            .setAlarmValue(alarm.type() == AlarmState.Type.NOSPACE ? 1 : 2));
                  }
                  return response.build();
                }),
        out);
  }

  @Override
  public void defragment(DefragmentRequest request, StreamObserver<DefragmentResponse> out) {
    Replies.reply(
        headers
            .current()
            .thenApply(header -> DefragmentResponse.newBuilder().setHeader(header).build()),
        out);
  }

  /**
   * As etcd: only the leader moves leadership, and the answer waits until the target leads (or
   * etcd's "leader transfer took too long").
   */
  @Override
  public void moveLeader(MoveLeaderRequest request, StreamObserver<MoveLeaderResponse> out) {
    if (node.raftStatus().role() != Role.LEADER) {
      out.onError(EtcdErrors.status(Status.Code.FAILED_PRECONDITION, EtcdErrors.NOT_LEADER));
      return;
    }
    Optional<Member> target =
        node.members().stream().filter(m -> m.id() == request.getTargetID()).findFirst();
    if (target.isEmpty()) {
      out.onError(
          EtcdErrors.status(Status.Code.FAILED_PRECONDITION, EtcdErrors.BAD_LEADER_TRANSFEREE));
      return;
    }
    io.grpc.Deadline deadline = LeaderRouter.deadline();
    CompletableFuture<MoveLeaderResponse> moved = new CompletableFuture<>();
    CompletableFuture<Void> unused =
        node.replica()
            .transferLeadership(target.get().raftId())
            .whenComplete(
                (ok, failure) -> {
                  if (failure != null) {
                    moved.completeExceptionally(failure);
                  } else {
                    awaitLeader(target.get(), deadline, moved);
                  }
                });
    Replies.reply(moved, out);
  }

  private void awaitLeader(
      Member target, io.grpc.Deadline deadline, CompletableFuture<MoveLeaderResponse> moved) {
    if (node.raftStatus().leader().equals(target.raftId())) {
      CompletableFuture<Void> unused =
          headers
              .current()
              .thenAccept(
                  h -> moved.complete(MoveLeaderResponse.newBuilder().setHeader(h).build()));
    } else if (deadline.isExpired()) {
      moved.completeExceptionally(
          EtcdErrors.status(Status.Code.UNAVAILABLE, EtcdErrors.TIMEOUT_LEADER_TRANSFER));
    } else {
      node.loop().schedule(LEADER_TRANSFER_POLL, () -> awaitLeader(target, deadline, moved));
    }
  }
}
