package io.raftkv.sim;

import io.raftkv.raft.CoreLog;
import io.raftkv.raft.Message;
import io.raftkv.raft.NodeId;
import io.raftkv.raft.RaftNode;
import io.raftkv.raft.Rng;
import io.raftkv.replica.Replica;
import io.raftkv.replica.ReplicaConfig;
import io.raftkv.replica.SimulatorDoor;
import io.raftkv.storage.DiskFullException;
import io.raftkv.storage.FatalDiskError;
import io.raftkv.storage.FaultyFileSystem;
import io.raftkv.storage.RaftStorage;
import io.raftkv.storage.StorageOptions;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * One machine of the simulated cluster: its disk (a {@link FaultyFileSystem} that outlives
 * crashes), its clock, and the current incarnation of its process (a {@link Replica} on its own
 * {@link SimLoop} and {@link SimDisk}). A crash kills the incarnation and power-fails the disk; a
 * restart recovers storage from what the disk kept and starts a new replica on it.
 */
final class SimNode {
  private static final Path DATA = Path.of("/data");

  private final NodeId id;
  private final ReplicaConfig config;
  private final Scheduler scheduler;
  private final SplittableRandom random;
  private final SimParameters parameters;
  private final SimNetwork network;
  private final Bug bug;
  private final FaultyFileSystem fileSystem;
  private final NodeClock clock;
  private final StorageOptions storageOptions;
  private SimLoop loop;
  private SimDisk disk;
  private Replica replica;

  /**
   * Asked at each message this node sends (the nemesis's crash points): true when the process dies
   * before it leaves. None by default.
   */
  private java.util.function.BiPredicate<SimNode, Message> crashPoints = (node, message) -> false;

  /** The process is dying within the current event: nothing more leaves it. */
  private boolean dying;

  private int incarnation;
  private int crashCount;
  private String lastFatal;

  SimNode(
      NodeId id,
      ReplicaConfig config,
      Scheduler scheduler,
      SplittableRandom random,
      SimParameters parameters,
      SimNetwork network,
      Bug bug,
      NodeClock clock) {
    this.id = id;
    this.config = config;
    this.scheduler = scheduler;
    this.random = random;
    this.parameters = parameters;
    this.network = network;
    this.bug = bug;
    this.clock = clock;
    this.fileSystem = new FaultyFileSystem(random.nextLong());
    this.fileSystem.syncFailureProbability(parameters.faults().fsyncFailureProbability());
    // Small segments: rotation and segment deletion happen within a run, and the faulty file
    // system's fsync (which copies the whole file) stays cheap. The fatal handler only records:
    // storage throws FatalDiskError right after it, which SimDisk turns into a crash.
    this.storageOptions =
        StorageOptions.defaults()
            .withSegmentBytesMax(16 << 10)
            .withFatalHandler(error -> lastFatal = error.getMessage());
  }

  NodeId id() {
    return id;
  }

  boolean up() {
    return replica != null;
  }

  /** The running replica; null while the node is down. */
  Replica replica() {
    return replica;
  }

  RaftNode core() {
    return replica == null ? null : SimulatorDoor.core(replica);
  }

  NodeClock clock() {
    return clock;
  }

  void crashPoints(java.util.function.BiPredicate<SimNode, Message> sites) {
    crashPoints = sites;
  }

  /** The nemesis will crash this node at the end of the event; it sends nothing more. */
  void dying() {
    dying = true;
  }

  /** The crash {@link #dying()} announced did not happen after all. */
  void survived() {
    dying = false;
  }

  /** Up, with a write staged on its disk and not yet synced. */
  boolean diskUnsynced() {
    return replica != null && disk != null && disk.unsynced();
  }

  int crashCount() {
    return crashCount;
  }

  /** Recovers storage from the disk and starts a new incarnation on it. */
  void start() {
    incarnation++;
    String name = id + "#" + incarnation;
    loop = new SimLoop(scheduler, clock, name);
    RaftStorage storage;
    try {
      storage = RaftStorage.open(fileSystem, DATA, storageOptions);
    } catch (FatalDiskError | DiskFullException e) {
      // Recovery itself syncs (a repaired tail, an adopted snapshot): the disk can fail there.
      scheduler.note(name + " disk failed while recovering: " + e.getMessage());
      fileSystem.crash();
      scheduleRestart();
      return;
    }
    disk =
        new SimDisk(
            scheduler,
            loop,
            storage,
            random.split(),
            parameters.disk(),
            bug,
            name,
            reason -> diskFailed(reason));
    io.raftkv.replica.Transport transport = network.transport();
    dying = false;
    replica =
        SimulatorDoor.startWithBugs(
            config,
            loop,
            message -> {
              if (!dying && !crashPoints.test(this, message)) {
                transport.send(message);
              }
            },
            disk,
            Rng.seeded(random.nextLong()),
            scheduler.tracing() ? traceLog() : CoreLog.SILENT,
            bug.coreBugs(),
            bug.replicaBugs());
    scheduler.note(name + " started: " + replica.raftStatus());
  }

  /** The core's INFO lines (roles, terms, snapshots) as trace notes; DEBUG stays off. */
  private CoreLog traceLog() {
    return new CoreLog() {
      @Override
      public boolean debugEnabled() {
        return false;
      }

      @Override
      public void info(String line) {
        scheduler.note(line);
      }

      @Override
      public void debug(String line) {
        // per-message detail would drown the trace; the scheduler already names each message
      }
    };
  }

  /**
   * Power loss: the process dies with everything in memory (its queued tasks, its pending client
   * requests, which their clients will time out on) and the disk keeps only what was synced,
   * perhaps with a torn tail.
   */
  void crash() {
    if (replica == null) {
      return;
    }
    loop.kill();
    replica = null;
    crashCount++;
    fileSystem.crash();
    scheduler.note(id + " crashed");
  }

  /** A failed fsync (or a full disk): the node stops at once and is restarted later. */
  private void diskFailed(String reason) {
    scheduler.note(id + " disk failed: " + reason);
    crash();
    scheduleRestart();
  }

  private void scheduleRestart() {
    scheduler.after(
        parameters.faults().nemesisMeanNanos(),
        id + " restart after disk failure",
        () -> {
          if (replica == null) {
            start();
          }
        });
  }

  /** A message arrives from the network; a node that is down loses it. */
  void deliver(Message message) {
    if (replica != null) {
      replica.receive(message);
    }
  }

  /** The disk has {@code headroomBytes} left for whatever this node writes next. */
  void fillDisk(long headroomBytes) {
    fileSystem.capacityBytes(fileSystem.usedBytes() + headroomBytes);
  }

  void freeDisk() {
    fileSystem.capacityBytes(Long.MAX_VALUE);
  }

  /** No more fsync failures, space on the disk: the liveness phase runs on good disks. */
  void healDisk() {
    fileSystem.syncFailureProbability(0);
    freeDisk();
  }
}
