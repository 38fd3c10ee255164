package io.raftkv.bench;

import io.raftkv.raft.Configuration;
import io.raftkv.raft.CoreLog;
import io.raftkv.raft.DurableState;
import io.raftkv.raft.Message;
import io.raftkv.raft.NodeId;
import io.raftkv.raft.ProposeResult;
import io.raftkv.raft.RaftConfig;
import io.raftkv.raft.RaftNode;
import io.raftkv.raft.Ready;
import io.raftkv.raft.Rng;
import io.raftkv.raft.Role;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The Raft core alone: a 3-node cluster wired in memory (messages passed by reference, nothing
 * persisted, no I/O), the leader proposing batches of {@link #BATCH} entries. One operation is one
 * committed entry, so the score is committed entries per second; the auxiliary {@code bytes}
 * counter gives payload bytes per second. This bounds what the core can ever contribute to the
 * server's cost: the target is 500,000 64-byte entries/s and 300 MB/s of 1 KiB entries on 2
 * cores.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 6, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class CoreThroughputBenchmark {
  static final int BATCH = 1024;
  private static final long COMPACT_EVERY_ENTRIES = 200_000;

  @Param({"64", "1024"})
  int entryBytes;

  private final List<RaftNode> nodes = new ArrayList<>();
  private final ArrayDeque<Message> network = new ArrayDeque<>();
  private RaftNode leader;
  private List<byte[]> batch;

  /** Payload bytes committed, reported by JMH as a rate next to the entries/s score. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Payload {
    public long bytes;
  }

  @Setup(Level.Trial)
  public void startCluster() {
    Configuration voters = Configuration.ofIds(1, 2, 3);
    for (NodeId id : voters.voters()) {
      RaftConfig config =
          RaftConfig.builder(id, voters)
              .appendEntriesMax(BATCH)
              .appendBytesMax(4L << 20)
              .inflightAppendsMax(8)
              .build();
      nodes.add(new RaftNode(config, DurableState.empty(), Rng.seeded(id.value()), CoreLog.SILENT));
    }
    leader = nodes.get(0);
    leader.campaign();
    for (int round = 0; round < 100 && leader.role() != Role.LEADER; round++) {
      pump();
    }
    if (leader.role() != Role.LEADER) {
      throw new IllegalStateException("no leader elected");
    }
    batch = new ArrayList<>();
    for (int i = 0; i < BATCH; i++) {
      byte[] payload = new byte[entryBytes];
      payload[0] = (byte) i;
      batch.add(payload);
    }
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public long commitBatch(Payload payload) {
    ProposeResult result = leader.propose(batch);
    if (!(result instanceof ProposeResult.Accepted accepted)) {
      throw new IllegalStateException("proposal refused: " + result);
    }
    while (leader.commitIndex() < accepted.lastIndex()) {
      pump();
    }
    payload.bytes += (long) BATCH * entryBytes;
    if (accepted.lastIndex() % COMPACT_EVERY_ENTRIES < BATCH) {
      compactAll();
    }
    return leader.commitIndex();
  }

  /** Every node hands out its Ready (taken as instantly durable), then messages are delivered. */
  private void pump() {
    for (RaftNode node : nodes) {
      while (node.hasReady()) {
        Ready ready = node.ready();
        network.addAll(ready.sendNow());
        network.addAll(ready.sendAfterPersist());
        node.advance(ready);
      }
    }
    while (!network.isEmpty()) {
      Message message = network.poll();
      nodes.get(message.to().value() - 1).step(message);
    }
  }

  /** Keeps memory flat: each node snapshots what it has applied, as a server would. */
  private void compactAll() {
    for (RaftNode node : nodes) {
      node.compact(node.appliedIndex(), new byte[0]);
    }
  }
}
