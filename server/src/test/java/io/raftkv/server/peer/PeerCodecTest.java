package io.raftkv.server.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkv.raft.Configuration;
import io.raftkv.raft.Entry;
import io.raftkv.raft.Message;
import io.raftkv.raft.NodeId;
import io.raftkv.server.peer.proto.RaftMessage;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every message kind survives the wire; a frame that is no message is refused. */
class PeerCodecTest {
  private static final NodeId A = NodeId.of(7);
  private static final NodeId B = NodeId.of(9);

  @Test
  void everyMessageKindRoundTrips() throws Exception {
    List<Message> messages =
        List.of(
            new Message.RequestVote(3, A, B, 10, 2, Message.VoteKind.TRANSFER),
            Message.VoteReply.granted(3, B, A, Message.VoteKind.PRE_VOTE),
            new Message.AppendEntries(
                3,
                A,
                B,
                4,
                2,
                List.of(Entry.command(3, 5, new byte[] {1, 2}), Entry.noop(3, 6)),
                4),
            Message.AppendReply.rejected(3, B, A, 4, 2, 3),
            new Message.Heartbeat(3, A, B, 6, 77),
            new Message.HeartbeatReply(3, B, A, 77),
            new Message.InstallSnapshot(
                3, A, B, 100, 2, Configuration.ofIds(7, 9, 11), 0, new byte[] {9, 8}, true),
            Message.SnapshotReply.installed(3, B, A, 100, 100),
            new Message.TimeoutNow(3, A, B),
            new Message.ReadIndexRequest(3, B, A, 5),
            Message.ReadIndexReply.confirmed(3, A, B, 5, 6));

    for (Message message : messages) {
      RaftMessage wire = RaftMessage.parseFrom(PeerCodec.encode(message).toByteArray());
      assertThat(PeerCodec.decode(wire)).usingRecursiveComparison().isEqualTo(message);
    }
  }

  @Test
  void malformedMessagesAreRefused() {
    assertThatThrownBy(() -> PeerCodec.decode(RaftMessage.newBuilder().setFrom(1).setTo(2).build()))
        .isInstanceOf(MalformedPeerMessageException.class)
        .hasMessageContaining("no body");
    RaftMessage noKind =
        RaftMessage.newBuilder()
            .setFrom(1)
            .setTo(2)
            .setRequestVote(io.raftkv.server.peer.proto.RequestVote.getDefaultInstance())
            .build();
    assertThatThrownBy(() -> PeerCodec.decode(noKind))
        .isInstanceOf(MalformedPeerMessageException.class);
    assertThatThrownBy(() -> PeerCodec.decode(RaftMessage.newBuilder().setTo(2).build()))
        .hasMessageContaining("from node id 0");
  }
}
