package io.raftkv.checker;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Generates kv histories shaped like chaos runs: many clients, a few keys, mostly appends and gets
 * with some puts, and a share of writes that never complete (taking effect or not). Each operation
 * takes effect at a random instant inside its interval, so the history is linearizable; {@code
 * corrupt} then rewrites one get to report a value nobody wrote.
 */
final class KvWorkload {
  private KvWorkload() {}

  private static final class Client {
    long process;
    int counter;
    String f;
    String key;
    String argument;
    String result;
    boolean applied;
    boolean abandoned;
    int invokeLine = -1;
  }

  /** Returns EDN lines like the shared kv files. */
  static List<String> generate(
      Random random,
      int operations,
      int keys,
      int processes,
      double writesLeftOpen,
      boolean corrupt) {
    List<String> lines = new ArrayList<>(operations * 2);
    Map<String, String> values = new HashMap<>();
    Client[] clients = new Client[processes];
    for (int p = 0; p < processes; p++) {
      clients[p] = new Client();
      clients[p].process = p;
    }
    long nextProcess = processes;
    int invoked = 0;
    List<Integer> getCompletions = new ArrayList<>();
    while (true) {
      boolean busy = false;
      for (Client c : clients) {
        busy |= c.invokeLine >= 0;
      }
      if (invoked >= operations && !busy) {
        break;
      }
      Client c = clients[random.nextInt(processes)];
      if (c.invokeLine < 0) {
        if (invoked < operations) {
          invoke(random, c, keys, lines);
          invoked++;
          c.abandoned = !c.f.equals("get") && random.nextDouble() < writesLeftOpen;
        }
      } else if (!c.applied) {
        apply(c, values);
      } else if (c.abandoned) {
        // Never completes: the client gives up on it and carries on as a new process.
        c.invokeLine = -1;
        c.applied = false;
        c.process = nextProcess++;
      } else {
        if (c.f.equals("get")) {
          getCompletions.add(lines.size());
        }
        lines.add(line(c.process, "ok", c.f, c.key, c.f.equals("get") ? c.result : c.argument));
        c.invokeLine = -1;
        c.applied = false;
      }
    }
    if (corrupt) {
      int at =
          getCompletions.get(
              getCompletions.size() / 2 + random.nextInt(Math.max(1, getCompletions.size() / 4)));
      lines.set(
          at, lines.get(at).replaceFirst(":value \"([^\"]*)\"}", ":value \"$1x corrupt y\"}"));
    }
    return lines;
  }

  private static void invoke(Random random, Client c, int keys, List<String> lines) {
    int roll = random.nextInt(100);
    c.f = roll < 45 ? "get" : roll < 92 ? "append" : "put";
    c.key = String.valueOf(random.nextInt(keys));
    c.argument = c.f.equals("get") ? null : "x " + c.process + " " + c.counter++ + " y";
    c.invokeLine = lines.size();
    lines.add(line(c.process, "invoke", c.f, c.key, c.argument));
  }

  private static void apply(Client c, Map<String, String> values) {
    String current = values.getOrDefault(c.key, "");
    switch (c.f) {
      case "get" -> c.result = current;
      case "put" -> values.put(c.key, c.argument);
      default -> values.put(c.key, current + c.argument);
    }
    c.applied = true;
  }

  private static String line(long process, String type, String f, String key, String value) {
    return "{:process "
        + process
        + ", :type :"
        + type
        + ", :f :"
        + f
        + ", :key \""
        + key
        + "\", :value "
        + (value == null ? "nil" : "\"" + value + "\"")
        + "}";
  }
}
