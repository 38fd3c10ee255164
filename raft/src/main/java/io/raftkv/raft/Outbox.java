package io.raftkv.raft;

import java.util.ArrayList;
import java.util.List;

/**
 * Messages waiting for the next {@link Ready}, split by whether they may leave before the node's
 * pending writes are durable. The split is decided here, in one place, by message type.
 */
final class Outbox {
  private ArrayList<Message> sendNow = new ArrayList<>();
  private ArrayList<Message> sendAfterPersist = new ArrayList<>();

  void send(Message message) {
    if (safeBeforePersist(message)) {
      sendNow.add(message);
    } else {
      sendAfterPersist.add(message);
    }
  }

  /**
   * A leader's appends, heartbeats and snapshot chunks, and TimeoutNow, promise nothing about this
   * node's disk (thesis §10.2.1); neither do a pre-vote, which changes no state, and the read-index
   * exchange, which is about leadership, not the log. Votes and every acknowledgement promise
   * durability, and a real RequestVote must not leave before the candidate's own vote for itself is
   * durable, or a restart could vote twice in one term.
   */
  static boolean safeBeforePersist(Message message) {
    return switch (message) {
      case Message.AppendEntries m -> true;
      case Message.Heartbeat m -> true;
      case Message.InstallSnapshot m -> true;
      case Message.TimeoutNow m -> true;
      case Message.ReadIndexRequest m -> true;
      case Message.ReadIndexReply m -> true;
      case Message.RequestVote m -> m.preVote();
      case Message.VoteReply m -> false;
      case Message.AppendReply m -> false;
      case Message.HeartbeatReply m -> false;
      case Message.SnapshotReply m -> false;
    };
  }

  /** Only for {@link CoreBug#VOTE_BEFORE_PERSIST}: skips the durability rule above. */
  void sendBeforePersist(Message message) {
    sendNow.add(message);
  }

  boolean isEmpty() {
    return sendNow.isEmpty() && sendAfterPersist.isEmpty();
  }

  List<Message> takeSendNow() {
    List<Message> taken = sendNow.isEmpty() ? List.of() : sendNow;
    sendNow = new ArrayList<>();
    return taken;
  }

  List<Message> takeSendAfterPersist() {
    List<Message> taken = sendAfterPersist.isEmpty() ? List.of() : sendAfterPersist;
    sendAfterPersist = new ArrayList<>();
    return taken;
  }
}
