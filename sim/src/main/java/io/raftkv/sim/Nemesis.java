package io.raftkv.sim;

import io.raftkv.raft.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The safety phase's attacker: at random intervals it starts one of the faults this seed has on (a
 * partition into random halves or around the leader, a crash with a restart some time later, a long
 * pause), each healing itself after a random while. At most a minority is down or paused at once,
 * so the cluster can make progress between faults; the network's drops and duplicates run all
 * along.
 */
final class Nemesis {
  private static final long MS = 1_000_000;

  private final Scheduler scheduler;
  private final SplittableRandom random;
  private final SimParameters parameters;
  private final List<SimNode> nodes;
  private final SimNetwork network;
  private boolean running;
  private int crashesCount;
  private long crashPointQuietUntilNanos;
  private int pausesCount;
  private int partitionsCount;
  private int fullDisksCount;

  Nemesis(
      Scheduler scheduler,
      SplittableRandom random,
      SimParameters parameters,
      List<SimNode> nodes,
      SimNetwork network) {
    this.scheduler = scheduler;
    this.random = random;
    this.parameters = parameters;
    this.nodes = nodes;
    this.network = network;
  }

  void start() {
    running = !parameters.faultsOn().isEmpty();
    if (running && parameters.faults().crashPoints()) {
      nodes.forEach(node -> node.crashPoints(this::crashPoint));
    }
    scheduleNext();
  }

  /**
   * A crash point, reached when a node sends a message of an enabled kind; it fires with the site's
   * probability, in one of two ways. Half the time power fails just after the send, if a write of
   * the node is then staged but not synced: correct Raft only ever sends early what does not depend
   * on that write; a node that promised what it had not made durable (a vote, an acknowledgement)
   * breaks that promise after the restart. Otherwise the process dies just before the send: this
   * message and whatever else the node would send in the same event are lost (the socket buffers
   * die with it). A leader that dies so has appended entries nobody else holds, or committed an
   * entry whose successors never left.
   *
   * @return true when the message must not leave
   */
  private boolean crashPoint(SimNode node, io.raftkv.raft.Message sent) {
    double probability = parameters.faults().crashPointProbability(sent);
    if (!running
        || probability == 0
        || random.nextDouble() >= probability
        || impaired() >= impairedMax()
        || scheduler.nowNanos() < crashPointQuietUntilNanos) {
      return false;
    }
    // At most one crash point per election timeout: leaders reach a site at every append, and
    // a cluster restarting (and replaying its WAL) thousands of times a second tests nothing
    // more and costs minutes.
    crashPointQuietUntilNanos = scheduler.nowNanos() + parameters.replicas().electionTimeoutNanos();
    boolean before = random.nextBoolean();
    String what = sent.getClass().getSimpleName();
    if (before) {
      node.dying();
    }
    // After the event: the replica hands the same Ready's writes to the disk after sending
    // what may leave at once.
    scheduler.after(
        0,
        "nemesis crash point",
        () -> {
          if (running && node.up() && (before || node.diskUnsynced())) {
            scheduler.note(
                "nemesis: "
                    + node.id()
                    + " crashes "
                    + (before
                        ? "before sending " + what
                        : "right after sending " + what + ", a write unsynced"));
            crash(node, true);
          } else if (before) {
            node.survived(); // the safety phase ended meanwhile: the node lives on and sends
          }
        });
    return before;
  }

  /** The safety phase is over: no new faults (the liveness phase heals the old ones). */
  void stop() {
    running = false;
  }

  String summary() {
    return "partitions="
        + partitionsCount
        + " crashes="
        + crashesCount
        + " pauses="
        + pausesCount
        + " full_disks="
        + fullDisksCount;
  }

  private void scheduleNext() {
    if (!running) {
      return;
    }
    long delay =
        SimParameters.latencyNanos(
            random, scaled(10 * MS), scaled(parameters.faults().nemesisMeanNanos()));
    scheduler.after(
        delay,
        "nemesis",
        () -> {
          if (running) {
            strike();
            scheduleNext();
          }
        });
  }

  private void strike() {
    List<Runnable> choices = new ArrayList<>();
    if (parameters.faults().partitions()) {
      choices.add(this::partitionHalves);
      choices.add(this::isolateLeader);
      if (nodes.size() >= 3) {
        choices.add(this::bridge);
        choices.add(this::ring);
      }
    }
    if (parameters.faults().crashes()) {
      choices.add(this::crashOne);
      choices.add(this::crashLeader);
    }
    if (parameters.faults().pauses()) {
      choices.add(this::pauseOne);
    }
    if (parameters.faults().partitions() && parameters.faults().pauses()) {
      choices.add(this::pauseIsolatedLeader);
    }
    if (parameters.faults().fullDisks()) {
      choices.add(this::fillDisk);
    }
    if (!choices.isEmpty()) {
      choices.get(random.nextInt(choices.size())).run();
    }
  }

  /** 5 to 150 ticks: 50 ms to 1.5 s with the default tick, 0.5-15 election timeouts. */
  private long faultNanos() {
    return random.nextLong(5, 150) * parameters.replicas().tickNanos() + random.nextLong(MS);
  }

  /** A duration given for the default 10 ms tick, scaled to this seed's tick. */
  private long scaled(long nanos) {
    return nanos / (10 * MS) * parameters.replicas().tickNanos();
  }

  private void partitionHalves() {
    List<Integer> side = new ArrayList<>();
    for (int n = 1; n <= nodes.size(); n++) {
      if (random.nextBoolean()) {
        side.add(n);
      }
    }
    partition(side, "halves");
  }

  private void bridge() {
    List<Integer> order = shuffledIds();
    int bridge = order.get(0);
    List<Integer> side = order.subList(1, 1 + (order.size() - 1) / 2);
    partitionsCount++;
    network.bridge(side, bridge);
    scheduler.note("nemesis: bridge n" + bridge + " between " + side + " and the rest");
    scheduler.after(faultNanos(), "nemesis heal partition", network::healPartition);
  }

  private void ring() {
    List<Integer> order = shuffledIds();
    partitionsCount++;
    network.ring(order);
    scheduler.note("nemesis: ring " + order);
    scheduler.after(faultNanos(), "nemesis heal partition", network::healPartition);
  }

  private List<Integer> shuffledIds() {
    List<Integer> ids = new ArrayList<>();
    for (int n = 1; n <= nodes.size(); n++) {
      ids.add(n);
    }
    for (int i = ids.size() - 1; i > 0; i--) {
      java.util.Collections.swap(ids, i, random.nextInt(i + 1));
    }
    return ids;
  }

  private void isolateLeader() {
    for (SimNode node : nodes) {
      if (node.up() && node.core().role() == Role.LEADER) {
        partition(List.of(node.id().value()), "leader");
        return;
      }
    }
  }

  /**
   * The lease-breaking case: the leader stops (a long GC pause) while cut off, the others elect a
   * new leader and write, and the old one wakes still cut off, with its ticks (and so its lease and
   * its check-quorum count) behind the time that passed.
   */
  private void pauseIsolatedLeader() {
    SimNode leader = null;
    for (SimNode node : nodes) {
      if (node.up()
          && node.core().role() == Role.LEADER
          && node.clock().pausedUntilNanos() <= scheduler.nowNanos()) {
        leader = node;
      }
    }
    if (leader == null) {
      return;
    }
    partitionsCount++;
    pausesCount++;
    long pauseNanos = scaled(random.nextLong(200 * MS, 1200 * MS));
    network.partition(List.of(leader.id().value()));
    leader.clock().pauseUntil(scheduler.nowNanos() + pauseNanos);
    scheduler.note(
        "nemesis: " + leader.id() + " (leader) cut off and paused for " + pauseNanos / MS + " ms");
    scheduler.after(
        pauseNanos + scaled(random.nextLong(50 * MS, 600 * MS)),
        "nemesis heal partition",
        network::healPartition);
  }

  private void partition(List<Integer> side, String how) {
    partitionsCount++;
    network.partition(side);
    scheduler.note("nemesis: partition (" + how + ") " + side + " | rest");
    scheduler.after(faultNanos(), "nemesis heal partition", network::healPartition);
  }

  /** Nodes down or paused right now: the nemesis keeps that to a minority. */
  private int impaired() {
    int count = 0;
    for (SimNode node : nodes) {
      if (!node.up() || node.clock().pausedUntilNanos() > scheduler.nowNanos()) {
        count++;
      }
    }
    return count;
  }

  private int impairedMax() {
    return Math.max(1, (nodes.size() - 1) / 2);
  }

  private SimNode pickHealthy() {
    if (impaired() >= impairedMax()) {
      return null;
    }
    SimNode node = nodes.get(random.nextInt(nodes.size()));
    boolean healthy = node.up() && node.clock().pausedUntilNanos() <= scheduler.nowNanos();
    return healthy ? node : null;
  }

  private void crashOne() {
    SimNode node = pickHealthy();
    if (node != null) {
      crash(node);
    }
  }

  /** The leader dies, often just after it appended what its followers do not have yet. */
  private void crashLeader() {
    if (impaired() >= impairedMax()) {
      return;
    }
    for (SimNode node : nodes) {
      if (node.up()
          && node.core().role() == Role.LEADER
          && node.clock().pausedUntilNanos() <= scheduler.nowNanos()) {
        scheduler.note("nemesis: " + node.id() + " (leader) crashes");
        crash(node);
        return;
      }
    }
  }

  private void crash(SimNode node) {
    crash(node, false);
  }

  /** A crash point's power failure comes back quickly whenever this seed has quick restarts. */
  private void crash(SimNode node, boolean atCrashPoint) {
    crashesCount++;
    node.crash();
    long downtime =
        atCrashPoint && parameters.faults().quickRestarts()
            ? quickDowntimeNanos()
            : downtimeNanos();
    scheduler.after(
        downtime,
        node.id() + " restart",
        () -> {
          if (!node.up()) {
            node.start();
          }
        });
  }

  /**
   * How long a crashed node stays down: with quick restarts, half the crashes come back within
   * 0.1-20 ms (log-uniform), a supervisor's restart while the election the node left still runs.
   */
  private long downtimeNanos() {
    return parameters.faults().quickRestarts() && random.nextBoolean()
        ? quickDowntimeNanos()
        : faultNanos();
  }

  private long quickDowntimeNanos() {
    return (long) Math.exp(random.nextDouble(Math.log(MS / 10), Math.log(20 * MS)));
  }

  /**
   * The node's disk fills up (another tenant's log, say): a few KiB stay free, so the node runs on
   * for a moment, then a write fails with ENOSPC and the node stops. Space comes back after a
   * while; until then every restart fails again in recovery or at its first write.
   */
  private void fillDisk() {
    SimNode node = pickHealthy();
    if (node == null) {
      return;
    }
    fullDisksCount++;
    long headroom = random.nextLong(0, 8 << 10);
    node.fillDisk(headroom);
    scheduler.note("nemesis: " + node.id() + " disk full (" + headroom + " bytes left)");
    scheduler.after(
        faultNanos(),
        "nemesis free disk",
        () -> {
          scheduler.note("nemesis: " + node.id() + " disk has space again");
          node.freeDisk();
        });
  }

  private void pauseOne() {
    SimNode node = pickHealthy();
    if (node == null) {
      return;
    }
    pausesCount++;
    long until = scheduler.nowNanos() + faultNanos();
    node.clock().pauseUntil(until);
    scheduler.note(
        "nemesis: " + node.id() + " paused for " + (until - scheduler.nowNanos()) / MS + " ms");
  }
}
