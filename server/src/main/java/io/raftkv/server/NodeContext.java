package io.raftkv.server;

import io.grpc.Channel;
import io.raftkv.raft.RaftStatus;
import io.raftkv.replica.EventLoop;
import io.raftkv.replica.Replica;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What the etcd API layer ({@code io.raftkv.server.etcd.EtcdServices.bindAll}) gets from the
 * process: the replica, the cluster's identity, the limits and the alarms. Every method may be
 * called from any thread (gRPC's); none blocks.
 */
public interface NodeContext {
  /** This node's replica; its methods hop onto {@link #loop()} themselves. */
  Replica replica();

  /** etcd's cluster id: a hash of the initial members' ids, the same on every member. */
  long clusterId();

  /** etcd's member id of this node: a hash of its peer URLs and the cluster token. */
  long memberId();

  /** This member's {@code --name}. */
  String name();

  /**
   * Every member, in member-id order. A peer's client URLs are known once it has connected to this
   * node (they travel in the peer handshake); until then its list is empty, as etcd shows a member
   * that has not published its attributes yet.
   */
  List<Member> members();

  /** The leader this node believes in, as of its last tick; empty during an election. */
  Optional<Member> leader();

  /** The replica's Raft status as of its last tick (term, commit and applied indexes, leader). */
  RaftStatus raftStatus();

  /**
   * A gRPC channel to {@code member}'s first advertised client URL, made once and kept (closed when
   * the node stops): for serving writes and linearizable reads through the leader. Empty when its
   * client URLs are not known yet.
   */
  Optional<Channel> clientChannel(Member member);

  /** The request limits of {@code --max-request-bytes}, {@code --max-txn-ops}, the quota. */
  ServerLimits limits();

  /** This member's alarms (NOSPACE when its disk is full or its data passes the quota). */
  AlarmState alarms();

  /** Bytes of this member's data on disk (WAL and snapshots): etcd's db size. */
  long storageBytes();

  /** {@code --election-timeout}: the leader monitor checks for a leader once per timeout. */
  Duration electionTimeout();

  /**
   * How often a watch that asked for {@code progress_notify} hears the current revision when
   * nothing else was sent to it: etcd's 10 minutes unless {@code
   * --experimental-watch-progress-notify-interval} says otherwise.
   */
  default Duration progressNotifyInterval() {
    return ServerConfig.PROGRESS_NOTIFY_INTERVAL_DEFAULT;
  }

  /** The node's event loop (the replica's); for work that must run in the replica's order. */
  EventLoop loop();
}
