package io.raftkv.chaos;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One chaos run's settings, as {@code raftkv chaos} takes them.
 *
 * @param nodes cluster members
 * @param operations register operations in all (the final reads come on top)
 * @param clients concurrent clients
 * @param keys registers
 * @param nemesis fault categories ({@link Nemesis#CATEGORIES}), empty for none
 * @param ratePerSecond invocations per second over all clients, so the run lasts about {@code
 *     operations / ratePerSecond} seconds and the faults land among the operations
 * @param faultEvery the mean time from one fault's start to the next
 * @param out where data, logs, history and verdict go
 * @param serverFlags extra flags for every server
 */
public record ChaosOptions(
    int nodes,
    int operations,
    long seed,
    int clients,
    int keys,
    List<String> nemesis,
    double ratePerSecond,
    Duration faultEvery,
    Path out,
    List<String> serverFlags) {
  /** Fast elections, so that a run sees many faults and recoveries in a minute. */
  public static final List<String> DEFAULT_SERVER_FLAGS =
      List.of("--heartbeat-interval", "50", "--election-timeout", "500");

  public ChaosOptions {
    nemesis = List.copyOf(nemesis);
    serverFlags = List.copyOf(serverFlags);
    if (nodes < 1 || nodes > 9) {
      throw new IllegalArgumentException("--nodes must be 1 to 9, not " + nodes);
    }
    if (operations < 1 || clients < 1 || keys < 1) {
      throw new IllegalArgumentException("--ops, --clients and --keys must be at least 1");
    }
    if (!(ratePerSecond > 0)) {
      throw new IllegalArgumentException("--rate must be positive, not " + ratePerSecond);
    }
    Nemesis.faultsOf(nemesis); // an unknown name is refused before anything starts
  }

  /** The command line that runs the same schedule again (into a fresh directory). */
  public String reproduceCommand() {
    List<String> words =
        new ArrayList<>(
            List.of(
                "bin/raftkv",
                "chaos",
                "--nodes",
                Integer.toString(nodes),
                "--ops",
                Integer.toString(operations),
                "--seed",
                Long.toString(seed),
                "--clients",
                Integer.toString(clients),
                "--keys",
                Integer.toString(keys),
                "--nemesis",
                nemesis.isEmpty() ? "none" : String.join(",", nemesis),
                "--rate",
                trim(ratePerSecond),
                "--fault-every",
                trim(faultEvery.toMillis() / 1000.0)));
    if (!serverFlags.equals(DEFAULT_SERVER_FLAGS)) {
      words.add("--");
      words.addAll(serverFlags);
    }
    return String.join(" ", words);
  }

  /** One line for the start of the run. */
  public String describe() {
    return String.format(
        "%d nodes, %d operations by %d clients over %d keys at %s/s, nemesis %s, seed %d",
        nodes,
        operations,
        clients,
        keys,
        trim(ratePerSecond),
        nemesis.isEmpty() ? "none" : String.join(",", nemesis),
        seed);
  }

  private static String trim(double number) {
    return number == Math.rint(number) ? Long.toString((long) number) : Double.toString(number);
  }
}
