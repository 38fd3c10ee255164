package io.raftkv.sim;

import io.raftkv.raft.DurableState;
import io.raftkv.raft.Snapshot;
import io.raftkv.replica.DurableLog;
import io.raftkv.storage.DiskFullException;
import io.raftkv.storage.FatalDiskError;
import io.raftkv.storage.PersistBatch;
import io.raftkv.storage.RaftStorage;
import java.util.ArrayDeque;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * One incarnation's durable log: the real {@link RaftStorage} on the node's {@code
 * FaultyFileSystem}, with fsyncs that take simulated time. A batch is written (staged) as soon as
 * the disk takes it and fsynced when its latency has passed; only then does the replica hear it is
 * durable. A crash in between therefore finds the bytes written but unsynced, and the file system
 * loses them or keeps a torn prefix, as a real power loss would; nothing was acknowledged on them.
 * Operations run one at a time in submission order, as the contract says.
 */
final class SimDisk implements DurableLog {
  private record Operation(String name, Runnable write, Runnable sync, Runnable onDurable) {}

  private final Scheduler scheduler;
  private final SimLoop loop;
  private final RaftStorage storage;
  private final SplittableRandom random;
  private final DiskParameters parameters;
  private final Bug bug;

  /** Called once when the disk fails: the node must stop (STYLE.md §6). */
  private final Consumer<String> onFatal;

  private final String name;
  private final ArrayDeque<Operation> queue = new ArrayDeque<>();
  private boolean busy;
  private boolean failed;

  SimDisk(
      Scheduler scheduler,
      SimLoop loop,
      RaftStorage storage,
      SplittableRandom random,
      DiskParameters parameters,
      Bug bug,
      String name,
      Consumer<String> onFatal) {
    this.scheduler = scheduler;
    this.loop = loop;
    this.storage = storage;
    this.random = random;
    this.parameters = parameters;
    this.bug = bug;
    this.name = name;
    this.onFatal = onFatal;
  }

  /** A write of this disk is staged but not yet synced: a crash now loses or tears it. */
  boolean unsynced() {
    return (busy || !queue.isEmpty()) && !failed;
  }

  @Override
  public DurableState recovered() {
    return storage.recovered();
  }

  @Override
  public void persist(PersistBatch batch, Runnable onDurable) {
    submit(new Operation("persist", () -> storage.stage(batch), storage::sync, onDurable));
  }

  @Override
  public void saveSnapshot(Snapshot snapshot, Runnable onDurable) {
    // compact writes, renames and syncs in one call: a crash before it leaves the old state.
    submit(new Operation("snapshot", () -> {}, () -> storage.compact(snapshot), onDurable));
  }

  private void submit(Operation operation) {
    if (bug.diskAcksBeforeFsync()) {
      loop.execute(operation.onDurable());
      operation = new Operation(operation.name(), operation.write(), operation.sync(), () -> {});
    }
    queue.add(operation);
    if (!busy) {
      startNext();
    }
  }

  private void startNext() {
    Operation operation = queue.poll();
    if (operation == null || failed || !loop.alive()) {
      busy = false;
      return;
    }
    busy = true;
    if (!attempt(operation.write())) {
      return;
    }
    long latency = parameters.fsyncNanos(random);
    scheduler.after(
        latency,
        name + " fsync " + operation.name(),
        () -> {
          if (!loop.alive() || failed || !attempt(operation.sync())) {
            return;
          }
          loop.execute(operation.onDurable());
          startNext();
        });
  }

  /** Runs a storage step; a failed fsync or a full disk stops the node. */
  private boolean attempt(Runnable step) {
    try {
      step.run();
      return true;
    } catch (FatalDiskError | DiskFullException e) {
      failed = true;
      onFatal.accept(e.getMessage());
      return false;
    }
  }
}
