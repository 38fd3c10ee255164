package io.raftkv.server;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This member's alarms, as etcd's Maintenance.Alarm lists and disarms them. NOSPACE is raised by
 * the node when its disk refuses a write or its data passes {@code --quota-backend-bytes}; while it
 * is raised the API refuses writes with etcd's "etcdserver: mvcc: database space exceeded" and
 * keeps serving reads. Thread-safe.
 *
 * <p>Unlike etcd, alarms are not replicated through the log: each member reports its own (a later
 * issue may replicate them).
 */
public final class AlarmState {
  private static final Logger LOG = LoggerFactory.getLogger(AlarmState.class);

  /** etcd's AlarmType, without NONE. */
  public enum Type {
    NOSPACE,
    CORRUPT
  }

  /** One raised alarm: the member that raised it and what. */
  public record Alarm(long memberId, Type type) {}

  /** etcd's error text for a write refused under NOSPACE. */
  public static final String NOSPACE_MESSAGE = "etcdserver: mvcc: database space exceeded";

  private final long memberId;
  private final Set<Type> raised = EnumSet.noneOf(Type.class);

  public AlarmState(long memberId) {
    this.memberId = memberId;
  }

  public synchronized boolean isRaised(Type type) {
    return raised.contains(type);
  }

  /** Raises {@code type}; returns whether it was newly raised. */
  public boolean raise(Type type, String why) {
    boolean added;
    synchronized (this) {
      added = raised.add(type);
    }
    if (added) {
      LOG.warn("alarm {} raised: {}", type, why);
    }
    return added;
  }

  /** Disarms {@code type} (etcd's AlarmRequest DEACTIVATE); returns whether it was raised. */
  public boolean disarm(Type type) {
    boolean removed;
    synchronized (this) {
      removed = raised.remove(type);
    }
    if (removed) {
      LOG.info("alarm {} disarmed", type);
    }
    return removed;
  }

  /** The raised alarms, in type order. */
  public synchronized List<Alarm> active() {
    List<Alarm> alarms = new ArrayList<>();
    for (Type type : raised) {
      alarms.add(new Alarm(memberId, type));
    }
    return alarms;
  }
}
