package io.raftkv.replica;

import io.raftkv.raft.Message;

/**
 * How a replica's Raft messages reach its peers: fire and forget, no ordering or delivery promise
 * (Raft needs none). Inbound messages arrive through {@link Replica#receive(Message)}.
 */
public interface Transport {
  void send(Message message);
}
