package io.raftkv.replica;

import io.raftkv.raft.CoreBug;
import io.raftkv.raft.CoreLog;
import io.raftkv.raft.RaftNode;
import io.raftkv.raft.Rng;
import java.util.Set;

/**
 * The simulator's door into a replica, and the only one: a replica with deliberate bugs (the proof
 * that the simulator's checks have teeth) and a read-only look at its core (the simulator's
 * invariant checks). Neither belongs to a server: {@link ReplicaConfig} cannot turn a bug on, and
 * cli's {@code ArchitectureTest} fails the build if a class outside {@code io.raftkv.sim} uses this
 * door, {@link ReplicaBug} or {@link CoreBug} (docs/replica.md, test-only doors).
 */
public final class SimulatorDoor {
  private SimulatorDoor() {}

  /** {@link Replica#start}, with {@code coreBugs} in its core and {@code bugs} in itself. */
  public static Replica startWithBugs(
      ReplicaConfig config,
      EventLoop loop,
      Transport transport,
      DurableLog durableLog,
      Rng rng,
      CoreLog coreLog,
      Set<CoreBug> coreBugs,
      Set<ReplicaBug> bugs) {
    return new Replica(config, loop, transport, durableLog, rng, coreLog, coreBugs, bugs).begin();
  }

  /**
   * The Raft core of {@code replica}, for invariant checks (election safety, log matching,
   * committed entries never change). Read it between events only; never mutate it, never call its
   * inputs ({@code step}, {@code tick}, {@code propose}, ...).
   */
  public static RaftNode core(Replica replica) {
    return replica.node;
  }
}
