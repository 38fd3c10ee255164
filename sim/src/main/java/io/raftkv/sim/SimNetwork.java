package io.raftkv.sim;

import io.raftkv.raft.Message;
import io.raftkv.raft.NodeId;
import io.raftkv.replica.Transport;
import java.util.Arrays;
import java.util.Collection;
import java.util.SplittableRandom;
import java.util.function.IntFunction;

/**
 * The network between nodes: every message gets its own delay (so messages reorder), may be
 * dropped or delivered twice, and never crosses a partition. A partition puts each node in a
 * group; a message leaves only towards its own group and is delivered only if the two are still
 * together when it arrives.
 */
final class SimNetwork {
  private final Scheduler scheduler;
  private final SplittableRandom random;
  private final SimParameters parameters;
  private final IntFunction<SimNode> nodes;
  private final int[] group;
  private double dropProbability;
  private double duplicateProbability;
  private long sentCount;
  private long droppedCount;

  SimNetwork(Scheduler scheduler, SplittableRandom random, SimParameters parameters,
      int nodeCount, IntFunction<SimNode> nodes) {
    this.scheduler = scheduler;
    this.random = random;
    this.parameters = parameters;
    this.nodes = nodes;
    this.group = new int[nodeCount + 1];
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
    long delay = SimParameters.latencyNanos(random, parameters.delayMinNanos(),
        parameters.delayMeanNanos());
    String description = message.to() + " <- " + message.from() + " "
        + message.getClass().getSimpleName() + " term=" + message.term();
    scheduler.after(delay, description, () -> {
      if (connected(message.from(), message.to())) {
        nodes.apply(message.to().value()).deliver(message);
      } else {
        droppedCount++;
      }
    });
  }

  private boolean connected(NodeId from, NodeId to) {
    return group[from.value()] == group[to.value()];
  }

  /** Splits the cluster: {@code side} on one side, everyone else on the other. */
  void partition(Collection<Integer> side) {
    Arrays.fill(group, 0);
    side.forEach(n -> group[n] = 1);
  }

  /** Everyone can talk again, and the network stops losing and duplicating messages. */
  void healAll() {
    Arrays.fill(group, 0);
    dropProbability = 0;
    duplicateProbability = 0;
  }

  void healPartition() {
    Arrays.fill(group, 0);
  }

  long sentCount() {
    return sentCount;
  }

  long droppedCount() {
    return droppedCount;
  }
}
