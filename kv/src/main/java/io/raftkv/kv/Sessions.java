package io.raftkv.kv;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Client sessions for exactly-once writes (Raft thesis §6.3). A client opens a session (its id is
 * the log index of the open), numbers its writes, and keeps one outstanding at a time; the last
 * response is kept so a retry gets it back. Expiry is deterministic: beyond {@code sessionsMax} the
 * session least recently written is dropped, an order every replica agrees on because it follows
 * the log. A write on a dropped session is refused, never applied blind, so a client learns its
 * earlier outcome is unknown rather than getting a double apply.
 */
final class Sessions {
  record Session(long lastSequence, Response lastResponse) {}

  private final int sessionsMax;

  /** Insertion order, renewed on every write: the first entry is the one to drop. */
  private final LinkedHashMap<Long, Session> sessions = new LinkedHashMap<>();

  Sessions(int sessionsMax) {
    this.sessionsMax = sessionsMax;
  }

  void open(long clientId) {
    Invariants.check(!sessions.containsKey(clientId), "session %d opened twice", clientId);
    sessions.put(clientId, new Session(0, null));
    if (sessions.size() > sessionsMax) {
      Long eldest = sessions.keySet().iterator().next();
      sessions.remove(eldest);
    }
  }

  Session get(long clientId) {
    return sessions.get(clientId);
  }

  void record(long clientId, long sequence, Response response) {
    Invariants.check(sessions.remove(clientId) != null, "write on unknown session %d", clientId);
    sessions.put(clientId, new Session(sequence, response));
  }

  int count() {
    return sessions.size();
  }

  /** Every session, least recently written first: the order a restore must rebuild. */
  List<Map.Entry<Long, Session>> inOrder() {
    List<Map.Entry<Long, Session>> copy = new ArrayList<>(sessions.size());
    for (Map.Entry<Long, Session> e : sessions.entrySet()) {
      copy.add(Map.entry(e.getKey(), e.getValue()));
    }
    return copy;
  }

  void restore(long clientId, Session session) {
    sessions.put(clientId, session);
  }
}
