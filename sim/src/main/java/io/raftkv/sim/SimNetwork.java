package io.raftkv.sim;

import io.raftkv.raft.Message;
import io.raftkv.raft.NodeId;
import io.raftkv.replica.Transport;
import java.util.Arrays;
import java.util.Collection;
import java.util.SplittableRandom;
import java.util.function.IntFunction;

/**
 * The network between nodes: every message gets its own delay (so messages reorder), may be dropped
 * or delivered twice, and never crosses a partition. A partition is a set of cut links (not always
 * transitive: in a bridge or a ring, a can reach b and b reach c while a cannot reach c); a message
 * leaves only over a link that is up and is delivered only if it still is when the message arrives.
 */
final class SimNetwork {
  private final Scheduler scheduler;
  private final SplittableRandom random;
  private final NetworkParameters parameters;
  private final IntFunction<SimNode> nodes;

  /** {@code cut[a][b]}: messages from node a to node b are lost. */
  private final boolean[][] cut;

  private double dropProbability;
  private double duplicateProbability;
  private long sentCount;
  private long droppedCount;

  SimNetwork(
      Scheduler scheduler,
      SplittableRandom random,
      NetworkParameters parameters,
      int nodeCount,
      IntFunction<SimNode> nodes) {
    this.scheduler = scheduler;
    this.random = random;
    this.parameters = parameters;
    this.nodes = nodes;
    this.cut = new boolean[nodeCount + 1][nodeCount + 1];
    this.dropProbability = parameters.dropProbability();
    this.duplicateProbability = parameters.duplicateProbability();
  }

  /** The transport a node's replica sends through. */
  Transport transport() {
    return this::send;
  }

  private void send(Message message) {
    sentCount++;
    if (!connected(message.from(), message.to())
        || (dropProbability > 0 && random.nextDouble() < dropProbability)) {
      droppedCount++;
      return;
    }
    deliverLater(message);
    if (duplicateProbability > 0 && random.nextDouble() < duplicateProbability) {
      deliverLater(message);
    }
  }

  private void deliverLater(Message message) {
    long delay = parameters.delayNanos(random);
    String description =
        message.to()
            + " <- "
            + message.from()
            + " "
            + message.getClass().getSimpleName()
            + " term="
            + message.term();
    scheduler.after(
        delay,
        description,
        () -> {
          if (connected(message.from(), message.to())) {
            nodes.apply(message.to().value()).deliver(message);
          } else {
            droppedCount++;
          }
        });
  }

  private boolean connected(NodeId from, NodeId to) {
    return !cut[from.value()][to.value()];
  }

  /** Splits the cluster: {@code side} on one side, everyone else on the other. */
  void partition(Collection<Integer> side) {
    healPartition();
    for (int a = 1; a < cut.length; a++) {
      for (int b = 1; b < cut.length; b++) {
        cut[a][b] = side.contains(a) != side.contains(b);
      }
    }
  }

  /**
   * Two halves that cannot talk, and one node, {@code bridge}, that talks to both: each half may
   * elect a leader the other never hears of, and the bridge votes for both.
   */
  void bridge(Collection<Integer> side, int bridge) {
    partition(side);
    for (int n = 1; n < cut.length; n++) {
      cut[bridge][n] = false;
      cut[n][bridge] = false;
    }
  }

  /**
   * Nodes on a ring, each hearing only its two neighbours: with five nodes, every node sees a
   * majority (itself and two), yet no two non-neighbours ever talk.
   */
  void ring(java.util.List<Integer> order) {
    int count = order.size();
    for (int i = 0; i < count; i++) {
      for (int j = 0; j < count; j++) {
        int distance = Math.abs(i - j);
        cut[order.get(i)][order.get(j)] = Math.min(distance, count - distance) > 1;
      }
    }
  }

  /** Everyone can talk again, and the network stops losing and duplicating messages. */
  void healAll() {
    healPartition();
    dropProbability = 0;
    duplicateProbability = 0;
  }

  void healPartition() {
    for (boolean[] row : cut) {
      Arrays.fill(row, false);
    }
  }

  long sentCount() {
    return sentCount;
  }

  long droppedCount() {
    return droppedCount;
  }
}
