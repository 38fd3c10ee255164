package io.raftkv.server.peer;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.raftkv.raft.Configuration;
import io.raftkv.raft.Entry;
import io.raftkv.raft.EntryType;
import io.raftkv.raft.Message;
import io.raftkv.raft.NodeId;
import io.raftkv.server.peer.proto.RaftMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The one place where a Raft {@link Message} becomes peer.proto's {@link RaftMessage} and back. A
 * change to the core's message records changes this class and nothing else of the transport.
 *
 * <p>Decoding checks what the core would otherwise trust: a frame that is not a well-formed message
 * (no body, an unknown entry type, a negative or zero id where one is needed) is {@link
 * MalformedPeerMessageException}, and the stream that carried it is closed.
 */
public final class PeerCodec {
  /** The peer protocol's version; the handshake refuses any other. */
  public static final int PROTOCOL_VERSION = 1;

  private PeerCodec() {}

  public static RaftMessage encode(Message message) {
    RaftMessage.Builder out =
        RaftMessage.newBuilder()
            .setTerm(message.term())
            .setFrom(message.from().value())
            .setTo(message.to().value());
    switch (message) {
      case Message.RequestVote m ->
          out.setRequestVote(
              io.raftkv.server.peer.proto.RequestVote.newBuilder()
                  .setLastLogIndex(m.lastLogIndex())
                  .setLastLogTerm(m.lastLogTerm())
                  .setKind(voteKind(m.kind())));
      case Message.VoteReply m ->
          out.setVoteReply(
              io.raftkv.server.peer.proto.VoteReply.newBuilder()
                  .setKind(voteKind(m.kind()))
                  .setGranted(m.granted()));
      case Message.AppendEntries m -> out.setAppendEntries(appendEntries(m));
      case Message.AppendReply m ->
          out.setAppendReply(
              io.raftkv.server.peer.proto.AppendReply.newBuilder()
                  .setSuccess(m.success())
                  .setMatchIndex(m.matchIndex())
                  .setRejectedIndex(m.rejectedIndex())
                  .setConflictTerm(m.conflictTerm())
                  .setConflictIndex(m.conflictIndex()));
      case Message.Heartbeat m ->
          out.setHeartbeat(
              io.raftkv.server.peer.proto.Heartbeat.newBuilder()
                  .setCommitIndex(m.commitIndex())
                  .setSequence(m.sequence()));
      case Message.HeartbeatReply m ->
          out.setHeartbeatReply(
              io.raftkv.server.peer.proto.HeartbeatReply.newBuilder().setSequence(m.sequence()));
      case Message.InstallSnapshot m -> out.setInstallSnapshot(installSnapshot(m));
      case Message.SnapshotReply m ->
          out.setSnapshotReply(
              io.raftkv.server.peer.proto.SnapshotReply.newBuilder()
                  .setSnapshotIndex(m.snapshotIndex())
                  .setNextOffset(m.nextOffset())
                  .setInstalled(m.installed())
                  .setMatchIndex(m.matchIndex()));
      case Message.TimeoutNow m ->
          out.setTimeoutNow(io.raftkv.server.peer.proto.TimeoutNow.getDefaultInstance());
      case Message.ReadIndexRequest m ->
          out.setReadIndexRequest(
              io.raftkv.server.peer.proto.ReadIndexRequest.newBuilder()
                  .setRequestId(m.requestId()));
      case Message.ReadIndexReply m ->
          out.setReadIndexReply(
              io.raftkv.server.peer.proto.ReadIndexReply.newBuilder()
                  .setRequestId(m.requestId())
                  .setReadIndex(m.readIndex())
                  .setRejected(m.rejected()));
    }
    return out.build();
  }

  private static io.raftkv.server.peer.proto.AppendEntries.Builder appendEntries(
      Message.AppendEntries m) {
    var append =
        io.raftkv.server.peer.proto.AppendEntries.newBuilder()
            .setPrevLogIndex(m.prevLogIndex())
            .setPrevLogTerm(m.prevLogTerm())
            .setLeaderCommit(m.leaderCommit());
    for (Entry entry : m.entries()) {
      append.addEntries(
          io.raftkv.server.peer.proto.Entry.newBuilder()
              .setTerm(entry.term())
              .setIndex(entry.index())
              .setType(entry.type().code())
              // Entries own their bytes and nobody mutates them (Entry's contract).
              .setData(UnsafeByteOperations.unsafeWrap(entry.data())));
    }
    return append;
  }

  private static io.raftkv.server.peer.proto.InstallSnapshot.Builder installSnapshot(
      Message.InstallSnapshot m) {
    var install =
        io.raftkv.server.peer.proto.InstallSnapshot.newBuilder()
            .setSnapshotIndex(m.snapshotIndex())
            .setSnapshotTerm(m.snapshotTerm())
            .setOffset(m.offset())
            .setChunk(UnsafeByteOperations.unsafeWrap(m.chunk()))
            .setDone(m.done());
    m.configuration().voters().forEach(v -> install.addVoters(v.value()));
    return install;
  }

  public static Message decode(RaftMessage in) {
    long term = in.getTerm();
    NodeId from = nodeId("from", in.getFrom());
    NodeId to = nodeId("to", in.getTo());
    return switch (in.getBodyCase()) {
      case REQUEST_VOTE -> {
        var m = in.getRequestVote();
        yield new Message.RequestVote(
            term, from, to, m.getLastLogIndex(), m.getLastLogTerm(), voteKind(m.getKind()));
      }
      case VOTE_REPLY -> {
        var m = in.getVoteReply();
        yield new Message.VoteReply(term, from, to, voteKind(m.getKind()), m.getGranted());
      }
      case APPEND_ENTRIES -> {
        var m = in.getAppendEntries();
        List<Entry> entries = new ArrayList<>(m.getEntriesCount());
        for (var e : m.getEntriesList()) {
          entries.add(entry(e));
        }
        yield new Message.AppendEntries(
            term, from, to, m.getPrevLogIndex(), m.getPrevLogTerm(), entries, m.getLeaderCommit());
      }
      case APPEND_REPLY -> {
        var m = in.getAppendReply();
        yield new Message.AppendReply(
            term,
            from,
            to,
            m.getSuccess(),
            m.getMatchIndex(),
            m.getRejectedIndex(),
            m.getConflictTerm(),
            m.getConflictIndex());
      }
      case HEARTBEAT -> {
        var m = in.getHeartbeat();
        yield new Message.Heartbeat(term, from, to, m.getCommitIndex(), m.getSequence());
      }
      case HEARTBEAT_REPLY ->
          new Message.HeartbeatReply(term, from, to, in.getHeartbeatReply().getSequence());
      case INSTALL_SNAPSHOT -> installSnapshot(term, from, to, in.getInstallSnapshot());
      case SNAPSHOT_REPLY -> {
        var m = in.getSnapshotReply();
        yield new Message.SnapshotReply(
            term,
            from,
            to,
            m.getSnapshotIndex(),
            m.getNextOffset(),
            m.getInstalled(),
            m.getMatchIndex());
      }
      case TIMEOUT_NOW -> new Message.TimeoutNow(term, from, to);
      case READ_INDEX_REQUEST ->
          new Message.ReadIndexRequest(term, from, to, in.getReadIndexRequest().getRequestId());
      case READ_INDEX_REPLY -> {
        var m = in.getReadIndexReply();
        yield new Message.ReadIndexReply(
            term, from, to, m.getRequestId(), m.getReadIndex(), m.getRejected());
      }
      case BODY_NOT_SET ->
          throw new MalformedPeerMessageException(
              "raft message from " + from + " has no body (an unknown kind from a newer peer?)");
    };
  }

  private static io.raftkv.server.peer.proto.VoteKind voteKind(Message.VoteKind kind) {
    return switch (kind) {
      case VOTE -> io.raftkv.server.peer.proto.VoteKind.VOTE_KIND_VOTE;
      case PRE_VOTE -> io.raftkv.server.peer.proto.VoteKind.VOTE_KIND_PRE_VOTE;
      case TRANSFER -> io.raftkv.server.peer.proto.VoteKind.VOTE_KIND_TRANSFER;
    };
  }

  private static Message.VoteKind voteKind(io.raftkv.server.peer.proto.VoteKind kind) {
    return switch (kind) {
      case VOTE_KIND_VOTE -> Message.VoteKind.VOTE;
      case VOTE_KIND_PRE_VOTE -> Message.VoteKind.PRE_VOTE;
      case VOTE_KIND_TRANSFER -> Message.VoteKind.TRANSFER;
      case VOTE_KIND_UNSPECIFIED, UNRECOGNIZED ->
          throw new MalformedPeerMessageException("vote message without a known kind: " + kind);
    };
  }

  private static Message installSnapshot(
      long term, NodeId from, NodeId to, io.raftkv.server.peer.proto.InstallSnapshot m) {
    if (m.getVotersCount() == 0) {
      throw new MalformedPeerMessageException(
          "snapshot " + m.getSnapshotIndex() + " from " + from + " names no voters");
    }
    TreeSet<NodeId> voters = new TreeSet<>();
    for (int voter : m.getVotersList()) {
      voters.add(nodeId("voter", voter));
    }
    return new Message.InstallSnapshot(
        term,
        from,
        to,
        m.getSnapshotIndex(),
        m.getSnapshotTerm(),
        new Configuration(voters),
        m.getOffset(),
        m.getChunk().toByteArray(),
        m.getDone());
  }

  private static Entry entry(io.raftkv.server.peer.proto.Entry e) {
    EntryType type;
    try {
      type = EntryType.fromCode(e.getType());
    } catch (IllegalArgumentException unknown) {
      throw new MalformedPeerMessageException(
          "entry " + e.getIndex() + ": unknown entry type code " + e.getType());
    }
    if (e.getTerm() < 1 || e.getIndex() < 1) {
      throw new MalformedPeerMessageException(
          "entry with term " + e.getTerm() + " and index " + e.getIndex());
    }
    ByteString data = e.getData();
    return new Entry(e.getTerm(), e.getIndex(), type, data.toByteArray());
  }

  private static NodeId nodeId(String field, int value) {
    if (value <= 0) {
      throw new MalformedPeerMessageException(field + " node id " + value + " is not positive");
    }
    return NodeId.of(value);
  }

  /** Bytes a message will take on the wire, roughly, before it is encoded: for queue bounds. */
  public static long estimatedBytes(Message message) {
    return switch (message) {
      case Message.AppendEntries m -> 64 + m.entries().stream().mapToLong(Entry::sizeBytes).sum();
      case Message.InstallSnapshot m ->
          64 + m.chunk().length + 8L * m.configuration().voters().size();
      default -> 64;
    };
  }
}
