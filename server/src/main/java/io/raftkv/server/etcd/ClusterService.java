package io.raftkv.server.etcd;

import io.etcd.jetcd.api.ClusterGrpc;
import io.etcd.jetcd.api.MemberAddRequest;
import io.etcd.jetcd.api.MemberAddResponse;
import io.etcd.jetcd.api.MemberListRequest;
import io.etcd.jetcd.api.MemberListResponse;
import io.etcd.jetcd.api.MemberPromoteRequest;
import io.etcd.jetcd.api.MemberPromoteResponse;
import io.etcd.jetcd.api.MemberRemoveRequest;
import io.etcd.jetcd.api.MemberRemoveResponse;
import io.etcd.jetcd.api.MemberUpdateRequest;
import io.etcd.jetcd.api.MemberUpdateResponse;
import io.grpc.stub.StreamObserver;
import io.raftkv.server.Member;
import io.raftkv.server.NodeContext;
import java.net.URI;

/**
 * etcd's Cluster service: the member list, exactly as configured. Membership changes come with a
 * later issue; until then they answer UNIMPLEMENTED saying so.
 */
final class ClusterService extends ClusterGrpc.ClusterImplBase {
  static final String MEMBERSHIP_LATER =
      "membership changes (member add/remove/update/promote) are not supported yet; they come in"
          + " a later issue";

  private final NodeContext node;
  private final Headers headers;

  ClusterService(NodeContext node) {
    this.node = node;
    this.headers = new Headers(node);
  }

  @Override
  public void memberList(MemberListRequest request, StreamObserver<MemberListResponse> out) {
    Replies.reply(
        headers
            .current()
            .thenApply(
                header -> {
                  MemberListResponse.Builder list =
                      MemberListResponse.newBuilder().setHeader(header);
                  for (Member member : node.members()) {
                    list.addMembers(member(member));
                  }
                  return list.build();
                }),
        out);
  }

  static io.etcd.jetcd.api.Member member(Member member) {
    io.etcd.jetcd.api.Member.Builder out =
        io.etcd.jetcd.api.Member.newBuilder().setID(member.id()).setName(member.name());
    member.peerUrls().stream().map(URI::toString).forEach(out::addPeerURLs);
    member.clientUrls().stream().map(URI::toString).forEach(out::addClientURLs);
    return out.build();
  }

  @Override
  public void memberAdd(MemberAddRequest request, StreamObserver<MemberAddResponse> out) {
    out.onError(EtcdErrors.unimplemented(MEMBERSHIP_LATER));
  }

  @Override
  public void memberRemove(MemberRemoveRequest request, StreamObserver<MemberRemoveResponse> out) {
    out.onError(EtcdErrors.unimplemented(MEMBERSHIP_LATER));
  }

  @Override
  public void memberUpdate(MemberUpdateRequest request, StreamObserver<MemberUpdateResponse> out) {
    out.onError(EtcdErrors.unimplemented(MEMBERSHIP_LATER));
  }

  @Override
  public void memberPromote(
      MemberPromoteRequest request, StreamObserver<MemberPromoteResponse> out) {
    out.onError(EtcdErrors.unimplemented(MEMBERSHIP_LATER));
  }
}
