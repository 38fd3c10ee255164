package io.raftkv.server;

import io.raftkv.raft.NodeId;
import java.net.URI;
import java.util.List;

/**
 * One cluster member as etcd describes it.
 *
 * @param id etcd's member id (a hash of the peer URLs and the cluster token, {@link MemberIds})
 * @param name its {@code --name}
 * @param peerUrls its {@code --initial-advertise-peer-urls}
 * @param clientUrls its {@code --advertise-client-urls}; empty until known
 */
public record Member(long id, String name, List<URI> peerUrls, List<URI> clientUrls) {
  public Member {
    peerUrls = List.copyOf(peerUrls);
    clientUrls = List.copyOf(clientUrls);
  }

  /** The id the Raft core knows this member by, derived from {@link #id()}. */
  public NodeId raftId() {
    return MemberIds.raftId(id);
  }

  public Member withClientUrls(List<URI> urls) {
    return new Member(id, name, peerUrls, urls);
  }

  /** etcd prints member ids as 16 hex digits. */
  public String idHex() {
    return MemberIds.hex(id);
  }
}
