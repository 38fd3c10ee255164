package io.raftkv.sim;

import io.raftkv.kv.Bytes;
import io.raftkv.kv.Event;
import io.raftkv.kv.WatchRequest;
import io.raftkv.raft.NodeId;
import io.raftkv.replica.Replica;
import io.raftkv.replica.WatchEnd;
import io.raftkv.replica.WatchObserver;
import io.raftkv.replica.WatchStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntFunction;

/**
 * A watch client, as a real one behaves: it watches a key or the workload's whole prefix from a
 * drawn revision on one node, and when that node's process dies, the stream ends, or it simply
 * reconnects elsewhere (as clients balancing over endpoints do), it opens a new watch on another
 * node from the revision after the last event it received. A compacted start revision is recorded
 * and the watch resumes from the compact revision the error names. What it received goes to {@link
 * WatchChecker}, which compares it with the committed log.
 */
final class SimWatcher {
  private static final long MS = 1_000_000;

  /** How often it looks whether its node's process is still the one it watches on. */
  private static final long CHECK_EVERY_NANOS = 50 * MS;

  /** Per check: the chance it reconnects to another node although nothing went wrong. */
  private static final int RECONNECT_ONE_IN = 40;

  /** An event as received, and the node whose stream delivered it. */
  record Received(Event event, NodeId node) {}

  /** Revisions {@code [from, compactRevision)} were compacted before this watcher read them. */
  record Compacted(long from, long compactRevision, NodeId node) {}

  private final String name;
  private final Scheduler scheduler;
  private final SplittableRandom random;
  private final IntFunction<SimNode> nodes;
  private final int nodeCount;
  private final WatchRequest range;
  private final String rangeName;
  private final List<Received> received = new ArrayList<>();
  private final List<Compacted> compacted = new ArrayList<>();

  /** The revision the first watch asked for; 0 = from the next write. */
  private long startRevision;

  /** What the next watch asks for: the revision after the last event received. */
  private long resumeFrom;

  private int target;

  /** The process watched on, to notice a crash (its loop just vanishes); null between watches. */
  private Replica watching;

  private WatchStream stream;

  /** Numbers the watches, so that a late event or end of an abandoned one is ignored. */
  private long streamNumber;

  private int streams;
  private boolean stopped;

  SimWatcher(
      String name,
      Scheduler scheduler,
      SplittableRandom random,
      IntFunction<SimNode> nodes,
      int nodeCount,
      int keyCount) {
    this.name = name;
    this.scheduler = scheduler;
    this.random = random;
    this.nodes = nodes;
    this.nodeCount = nodeCount;
    this.target = 1 + random.nextInt(nodeCount);
    if (random.nextBoolean()) {
      String key = Workload.key(random.nextInt(keyCount));
      this.range = WatchRequest.key(Bytes.utf8(key));
      this.rangeName = key;
    } else {
      this.range = WatchRequest.prefix(Bytes.utf8("k"));
      this.rangeName = "prefix k";
    }
  }

  /**
   * Opens the first watch after a drawn delay, up to 3 s into the safety phase: late enough, in a
   * seed with compactions, that a watch from revision 1 meets the compacted error at once.
   */
  void start() {
    scheduler.after(
        random.nextLong(0, 3000 * MS),
        name + " start",
        () -> {
          startRevision = drawStartRevision();
          resumeFrom = startRevision;
          open();
        });
    scheduler.after(CHECK_EVERY_NANOS, name + " check", this::check);
  }

  /** From the next write, from the very beginning, or from a revision some node has seen. */
  private long drawStartRevision() {
    int draw = random.nextInt(3);
    if (draw == 0) {
      return 0;
    }
    Replica replica = nodes.apply(target).replica();
    long revision = replica == null ? 1 : replica.revision();
    return draw == 1 ? 1 : 1 + random.nextLong(revision);
  }

  /** No more watches after this: the run is being judged. */
  void stop() {
    stopped = true;
    streamNumber++;
  }

  WatchRequest range() {
    return range;
  }

  String describe() {
    return name
        + " ("
        + rangeName
        + " from "
        + (startRevision == 0 ? "the next write" : "revision " + startRevision)
        + ", "
        + streams
        + " watches)";
  }

  long startRevision() {
    return startRevision;
  }

  List<Received> received() {
    return received;
  }

  List<Compacted> compacted() {
    return compacted;
  }

  private void open() {
    if (stopped) {
      return;
    }
    SimNode node = nodes.apply(target);
    Replica replica = node.replica();
    if (replica == null) {
      reconnectElsewhere(); // connection refused
      return;
    }
    long number = ++streamNumber;
    streams++;
    watching = replica;
    scheduler.note(name + " watches " + rangeName + " on " + node.id() + " from " + resumeFrom);
    stream = replica.watch(range.from(resumeFrom), observer(number, node.id()));
  }

  private WatchObserver observer(long number, NodeId node) {
    return new WatchObserver() {
      @Override
      public void onEvents(List<Event> events) {
        if (number == streamNumber) {
          for (Event event : events) {
            received.add(new Received(event, node));
          }
          resumeFrom = events.get(events.size() - 1).revision() + 1;
        }
      }

      @Override
      public void onEnd(WatchEnd end) {
        if (number == streamNumber) {
          ended(end, node);
        }
      }
    };
  }

  private void ended(WatchEnd end, NodeId node) {
    scheduler.note(name + " watch on " + node + " ended: " + end);
    switch (end.reason()) {
      case COMPACTED -> {
        compacted.add(new Compacted(resumeFrom, end.compactRevision(), node));
        resumeFrom = end.compactRevision();
      }
      case STOPPED, CANCELED -> {}
      case REFUSED -> throw new IllegalStateException(name + ": watch refused: " + end.message());
    }
    abandon();
    reconnectElsewhere();
  }

  /** Periodically: a crashed process ends no stream, so notice it; sometimes reconnect. */
  private void check() {
    if (stopped) {
      return;
    }
    if (watching != null && nodes.apply(target).replica() != watching) {
      scheduler.note(name + " lost its watch: " + nodes.apply(target).id() + " went down");
      abandon();
      reconnectElsewhere();
    } else if (watching != null && random.nextInt(RECONNECT_ONE_IN) == 0) {
      stream.cancel();
      abandon();
      reconnectElsewhere();
    }
    scheduler.after(CHECK_EVERY_NANOS, name + " check", this::check);
  }

  private void abandon() {
    streamNumber++;
    watching = null;
    stream = null;
  }

  private void reconnectElsewhere() {
    int shift = nodeCount == 1 ? 0 : 1 + random.nextInt(nodeCount - 1);
    target = 1 + (target - 1 + shift) % nodeCount;
    scheduler.after(random.nextLong(10 * MS, 60 * MS), name + " reconnect", this::open);
  }
}
