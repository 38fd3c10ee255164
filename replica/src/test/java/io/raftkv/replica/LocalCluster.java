package io.raftkv.replica;

import io.raftkv.raft.Configuration;
import io.raftkv.raft.CoreLog;
import io.raftkv.raft.DurableState;
import io.raftkv.raft.Message;
import io.raftkv.raft.NodeId;
import io.raftkv.raft.RaftConfig;
import io.raftkv.raft.Rng;
import io.raftkv.raft.Role;
import io.raftkv.raft.Snapshot;
import io.raftkv.storage.FaultyFileSystem;
import io.raftkv.storage.PersistBatch;
import io.raftkv.storage.RaftStorage;
import io.raftkv.storage.StorageOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

/**
 * Replicas on one deterministic virtual-time queue, a 1 ms network and a 1 ms disk (real
 * RaftStorage on an in-memory FaultyFileSystem). Enough to test the replica's paths; the simulator
 * (sim module) is where faults and histories live.
 */
final class LocalCluster {
  private record Task(long timeNanos, long sequence, Runnable action) implements Comparable<Task> {
    @Override
    public int compareTo(Task other) {
      int byTime = Long.compare(timeNanos, other.timeNanos);
      return byTime != 0 ? byTime : Long.compare(sequence, other.sequence);
    }
  }

  private static final long HOP_NANOS = 1_000_000;

  private final PriorityQueue<Task> queue = new PriorityQueue<>();
  private long nowNanos;
  private long sequence;
  private final TreeMap<NodeId, Replica> replicas = new TreeMap<>();
  private final TreeMap<NodeId, FaultyFileSystem> disks = new TreeMap<>();
  private final TreeMap<NodeId, RaftStorage> storages = new TreeMap<>();
  private final TreeMap<NodeId, ReplicaConfig> configs = new TreeMap<>();

  private final java.util.Set<ReplicaBug> bugs;

  LocalCluster(int size, UnaryOperator<ReplicaConfig> tune) {
    this(size, tune, java.util.Set.of());
  }

  LocalCluster(int size, UnaryOperator<ReplicaConfig> tune, java.util.Set<ReplicaBug> bugs) {
    this.bugs = bugs;
    int[] ids = new int[size];
    for (int i = 0; i < size; i++) {
      ids[i] = i + 1;
    }
    Configuration voters = Configuration.ofIds(ids);
    for (NodeId id : voters.voters()) {
      configs.put(id, tune.apply(ReplicaConfig.defaults(RaftConfig.defaults(id, voters))));
      disks.put(id, new FaultyFileSystem(id.value()));
      start(id);
    }
  }

  private final EventLoop loop =
      new EventLoop() {
        @Override
        public void execute(Runnable task) {
          at(nowNanos, task);
        }

        @Override
        public Cancellable schedule(Duration delay, Runnable task) {
          boolean[] cancelled = {false};
          at(
              nowNanos + delay.toNanos(),
              () -> {
                if (!cancelled[0]) {
                  task.run();
                }
              });
          return () -> cancelled[0] = true;
        }

        @Override
        public void offload(Runnable work) {
          // finishes a hop later, so that applies and messages go on while it runs
          offloaded++;
          at(nowNanos + HOP_NANOS, work);
        }

        @Override
        public long nanoTime() {
          return nowNanos;
        }

        @Override
        public boolean inLoop() {
          return true;
        }
      };

  private void at(long timeNanos, Runnable action) {
    queue.add(new Task(timeNanos, sequence++, action));
  }

  /** Seeds each incarnation apart: forwarded-read ids are drawn from it (see {@link Rng}). */
  private long starts;

  private int offloaded;

  /** How many pieces of work replicas have handed off their loops. */
  int offloaded() {
    return offloaded;
  }

  void start(NodeId id) {
    RaftStorage storage =
        RaftStorage.open(disks.get(id), Path.of("/node"), StorageOptions.defaults());
    storages.put(id, storage);
    Transport transport = message -> at(nowNanos + HOP_NANOS, () -> deliver(message));
    replicas.put(
        id,
        SimulatorDoor.startWithBugs(
            configs.get(id),
            loop,
            transport,
            new DiskLog(id, storage),
            Rng.seeded(id.value() * 7919L + starts++),
            CoreLog.SILENT,
            java.util.Set.of(),
            bugs));
  }

  /** Stops a replica; its disk keeps what was synced. */
  void stop(NodeId id) {
    Replica replica = replicas.remove(id);
    if (replica != null) {
      replica.stop();
      run(Duration.ofMillis(1));
      storages.remove(id).close();
    }
  }

  /** Nodes cut off from every other: what they send and what is sent to them is lost. */
  private final java.util.Set<NodeId> isolated = new java.util.TreeSet<>();

  void isolate(NodeId id) {
    isolated.add(id);
  }

  void heal() {
    isolated.clear();
  }

  private void deliver(Message message) {
    if (isolated.contains(message.from()) || isolated.contains(message.to())) {
      return;
    }
    Replica target = replicas.get(message.to());
    if (target != null) {
      target.receive(message);
    }
  }

  Replica replica(NodeId id) {
    return replicas.get(id);
  }

  Optional<Replica> leader() {
    return replicas.values().stream()
        .filter(r -> r.raftStatus().role() == Role.LEADER)
        .max((a, b) -> Long.compare(a.raftStatus().currentTerm(), b.raftStatus().currentTerm()));
  }

  Replica awaitLeader() {
    runUntil("a leader", () -> leader().isPresent(), Duration.ofSeconds(10));
    return leader().orElseThrow();
  }

  Replica follower() {
    Replica leader = awaitLeader();
    return replicas.values().stream().filter(r -> r != leader).findFirst().orElseThrow();
  }

  void run(Duration duration) {
    long end = nowNanos + duration.toNanos();
    while (!queue.isEmpty() && queue.peek().timeNanos() <= end) {
      Task task = queue.poll();
      nowNanos = task.timeNanos();
      task.action().run();
    }
    nowNanos = end;
  }

  /** Runs until {@code condition} holds; fails naming it after {@code limit} of virtual time. */
  void runUntil(String what, BooleanSupplier condition, Duration limit) {
    long end = nowNanos + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (nowNanos >= end) {
        throw new IllegalStateException("not reached within " + limit + ": " + what);
      }
      run(Duration.ofMillis(1));
    }
  }

  /** Durability on the local disk, completing one hop later, in submission order. */
  private final class DiskLog implements DurableLog {
    private final NodeId id;
    private final RaftStorage storage;
    private final DurableState recovered;

    DiskLog(NodeId id, RaftStorage storage) {
      this.id = id;
      this.storage = storage;
      this.recovered = storage.recovered();
    }

    /** A write still queued when its node stopped never happens, as in a crash. */
    private boolean current() {
      return storages.get(id) == storage;
    }

    @Override
    public DurableState recovered() {
      return recovered;
    }

    @Override
    public void persist(PersistBatch batch, Runnable onDurable) {
      at(
          nowNanos + HOP_NANOS,
          () -> {
            if (current()) {
              storage.persist(batch);
              onDurable.run();
            }
          });
    }

    @Override
    public void saveSnapshot(Snapshot snapshot, Runnable onDurable) {
      at(
          nowNanos + HOP_NANOS,
          () -> {
            if (current()) {
              storage.compact(snapshot);
              onDurable.run();
            }
          });
    }
  }
}
