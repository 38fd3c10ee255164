package io.raftkv.server;

import io.raftkv.raft.NodeId;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.List;

/**
 * Member and cluster ids computed as etcd 3.4 computes them (membership/member.go NewMember,
 * cluster.go genID), so every node derives the same ids from the same flags, and they equal the ids
 * a real etcd would show for them.
 */
public final class MemberIds {
  private MemberIds() {}

  /** SHA-1 of the sorted peer URLs and the cluster token; its first 8 bytes, big-endian. */
  public static long memberId(List<URI> peerUrls, String clusterToken) {
    StringBuilder text = new StringBuilder();
    peerUrls.stream().map(URI::toString).sorted().forEach(text::append);
    text.append(clusterToken);
    return first8Bytes(sha1(text.toString().getBytes(StandardCharsets.UTF_8)));
  }

  /** SHA-1 of the member ids sorted as unsigned numbers, 8 bytes each, big-endian. */
  public static long clusterId(Collection<Long> memberIds) {
    long[] unsigned =
        memberIds.stream().sorted(Long::compareUnsigned).mapToLong(Long::longValue).toArray();
    ByteBuffer bytes = ByteBuffer.allocate(8 * unsigned.length);
    for (long id : unsigned) {
      bytes.putLong(id);
    }
    return first8Bytes(sha1(bytes.array()));
  }

  /**
   * The Raft core's id for a member: the core counts ids in an int, etcd in 64 bits. The low 31
   * bits, never 0 (which means "none"); the configuration check refuses a cluster where two members
   * collide.
   */
  public static NodeId raftId(long memberId) {
    int low = (int) (memberId & 0x7fff_ffffL);
    return NodeId.of(low == 0 ? 1 : low);
  }

  /** etcd's %x of a member id, as etcdctl prints it. */
  public static String hex(long id) {
    return Long.toHexString(id);
  }

  private static long first8Bytes(byte[] hash) {
    return ByteBuffer.wrap(hash, 0, 8).getLong();
  }

  private static byte[] sha1(byte[] input) {
    try {
      return MessageDigest.getInstance("SHA-1").digest(input);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-1", e);
    }
  }
}
