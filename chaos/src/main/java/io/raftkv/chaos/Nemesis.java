package io.raftkv.chaos;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * Faults against a running {@link LocalCluster}, drawn from a seed and logged one line each with
 * the wall-clock time: kill -9 and restart, SIGSTOP and SIGCONT, and partitions and slow links
 * through the peer links when the cluster's peers dial through {@link PeerLinks}. {@link #healAll}
 * undoes every fault in force. The faults a run draws depend on the seed and on who leads when they
 * are drawn.
 */
public final class Nemesis {
  /** The kinds of fault, as the {@code --nemesis} list names them. */
  public enum Fault {
    KILL_LEADER,
    KILL_MINORITY,
    PAUSE_LEADER,
    ISOLATE_LEADER,
    RANDOM_HALVES,
    BRIDGE,
    ONE_WAY,
    KILL_ALL,
    DELAY_LINKS
  }

  /** The {@code --nemesis} names and the faults each stands for. */
  public static final Map<String, List<Fault>> CATEGORIES =
      Map.of(
          "kill", List.of(Fault.KILL_LEADER, Fault.KILL_MINORITY, Fault.KILL_ALL),
          "pause", List.of(Fault.PAUSE_LEADER),
          "partition",
              List.of(Fault.ISOLATE_LEADER, Fault.RANDOM_HALVES, Fault.BRIDGE, Fault.ONE_WAY),
          "delay", List.of(Fault.DELAY_LINKS));

  /** The faults of the named categories; an unknown name is refused with the known ones. */
  public static List<Fault> faultsOf(List<String> categories) {
    List<Fault> faults = new ArrayList<>();
    for (String name : categories) {
      List<Fault> of = CATEGORIES.get(name);
      if (of == null) {
        throw new IllegalArgumentException(
            "unknown nemesis " + name + " (known: " + new TreeSet<>(CATEGORIES.keySet()) + ")");
      }
      faults.addAll(of);
    }
    return faults;
  }

  /** The peer links a nemesis can cut: one per ordered pair of members. */
  public interface PeerLinks {
    void cut(Partitions.Link link);

    /** Each chunk on {@code link} waits {@code delay}; some reset their connection. */
    void slow(Partitions.Link link, Duration delay, double dropProbability);

    /** Undoes every cut, delay and drop. */
    void healAll();
  }

  private final LocalCluster cluster;
  private final Optional<PeerLinks> links;
  private final Random random;
  private final Clock clock;
  private final PrintWriter log;
  private final Set<String> killed = new LinkedHashSet<>();
  private final Set<String> paused = new LinkedHashSet<>();
  private final Set<Partitions.Link> cut = new LinkedHashSet<>();
  private boolean slowed;

  public Nemesis(
      LocalCluster cluster, Optional<PeerLinks> links, long seed, Clock clock, PrintWriter log) {
    this.cluster = cluster;
    this.links = links;
    this.random = new Random(seed);
    this.clock = clock;
    this.log = log;
    say("nemesis seed=" + seed + " partitions=" + (links.isPresent() ? "proxy" : "off"));
  }

  /** Draws one of {@code allowed} (partitions only with links) and applies it to the cluster. */
  public Fault strike(List<Fault> allowed, Duration leaderTimeout) throws Exception {
    List<Fault> possible =
        allowed.stream().filter(f -> links.isPresent() || !isPartition(f)).toList();
    if (possible.isEmpty()) {
      throw new IllegalArgumentException("no fault of " + allowed + " is possible without links");
    }
    Fault fault = possible.get(random.nextInt(possible.size()));
    apply(fault, leaderTimeout);
    return fault;
  }

  /** Applies {@code fault} now. */
  public void apply(Fault fault, Duration leaderTimeout) throws Exception {
    List<String> names = cluster.nodes().stream().map(ServerNode::name).toList();
    switch (fault) {
      case KILL_LEADER -> kill(leader(leaderTimeout).name());
      case KILL_MINORITY -> {
        List<String> shuffled = new ArrayList<>(running());
        java.util.Collections.shuffle(shuffled, random);
        int count = 1 + random.nextInt(Math.max(1, (names.size() - 1) / 2));
        for (String name : shuffled.subList(0, Math.min(count, shuffled.size()))) {
          kill(name);
        }
      }
      case PAUSE_LEADER -> pause(leader(leaderTimeout).name());
      case ISOLATE_LEADER ->
          partition("isolate-leader", Partitions.isolate(leader(leaderTimeout).name(), names));
      case RANDOM_HALVES -> partition("random-halves", Partitions.randomHalves(names, random));
      case BRIDGE -> partition("bridge", Partitions.bridge(names, random));
      case ONE_WAY -> {
        String deaf = names.get(random.nextInt(names.size()));
        partition("one-way " + deaf + " cannot send", Partitions.oneWay(deaf, names));
      }
      case KILL_ALL -> {
        for (String name : running()) {
          kill(name);
        }
      }
      case DELAY_LINKS -> slowAll(names);
    }
  }

  /** Restarts the killed, resumes the paused, heals every link; logs each. */
  public void healAll() throws Exception {
    for (String name : paused) {
      cluster.node(name).resume();
      say("resume " + name + " (SIGCONT)");
    }
    paused.clear();
    for (String name : killed) {
      cluster.restart(name);
      say("restart " + name + " (pid " + cluster.node(name).pid() + ")");
    }
    killed.clear();
    if (!cut.isEmpty() || slowed) {
      links.orElseThrow().healAll();
      say(cut.isEmpty() ? "heal: links at full speed" : "heal " + cut.size() + " cut links");
      cut.clear();
      slowed = false;
    }
  }

  /** The leader the running, unpaused members agree on, waiting up to {@code timeout}. */
  public ServerNode leader(Duration timeout) throws InterruptedException {
    List<ServerNode> reachable =
        cluster.nodes().stream()
            .filter(ServerNode::alive)
            .filter(n -> !paused.contains(n.name()))
            .toList();
    return ClusterHealth.awaitLeader(reachable, timeout);
  }

  private void kill(String name) throws InterruptedException {
    long pid = cluster.node(name).pid();
    cluster.node(name).kill();
    killed.add(name);
    say("kill -9 " + name + " (pid " + pid + ")");
  }

  private void pause(String name) throws InterruptedException {
    cluster.node(name).pause();
    paused.add(name);
    say("pause " + name + " (SIGSTOP pid " + cluster.node(name).pid() + ")");
  }

  private void partition(String shape, Set<Partitions.Link> links) {
    PeerLinks peerLinks = this.links.orElseThrow();
    links.forEach(peerLinks::cut);
    cut.addAll(links);
    say(
        "partition "
            + shape
            + ": cut "
            + String.join(" ", links.stream().map(l -> l.from() + "->" + l.to()).toList()));
  }

  /** Every link waits the same drawn delay per chunk; half the time some chunks also reset. */
  private void slowAll(List<String> names) {
    PeerLinks peerLinks = this.links.orElseThrow();
    Duration delay = Duration.ofMillis(20 + random.nextInt(181));
    double drop = random.nextBoolean() ? 0.02 : 0;
    for (String from : names) {
      for (String to : names) {
        if (!from.equals(to)) {
          peerLinks.slow(new Partitions.Link(from, to), delay, drop);
        }
      }
    }
    slowed = true;
    say(
        "delay every peer link by "
            + delay.toMillis()
            + " ms"
            + (drop > 0 ? ", resetting " + (int) (drop * 100) + "% of chunks' connections" : ""));
  }

  /** Who is killed or paused now, for a progress line. */
  public Set<String> down() {
    Set<String> down = new LinkedHashSet<>(killed);
    down.addAll(paused);
    return down;
  }

  private List<String> running() {
    return cluster.nodes().stream()
        .filter(ServerNode::alive)
        .map(ServerNode::name)
        .filter(n -> !killed.contains(n))
        .toList();
  }

  private static boolean isPartition(Fault fault) {
    return switch (fault) {
      case ISOLATE_LEADER, RANDOM_HALVES, BRIDGE, ONE_WAY, DELAY_LINKS -> true;
      case KILL_LEADER, KILL_MINORITY, PAUSE_LEADER, KILL_ALL -> false;
    };
  }

  private void say(String line) {
    log.println(Instant.now(clock) + " " + line);
    log.flush();
  }
}
