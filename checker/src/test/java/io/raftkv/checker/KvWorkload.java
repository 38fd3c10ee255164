package io.raftkv.checker;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Generates kv histories shaped like chaos runs (kvgen-style): many clients, a few keys, mostly
 * appends and gets with some puts, every written value unique ({@code x PROCESS COUNTER y}), and a
 * share of writes that never complete (they took effect; the client gave up and carries on as a new
 * process). Each operation takes effect at a random instant inside its interval, so the history is
 * linearizable; a {@link Corruption} then rewrites one get.
 */
final class KvWorkload {
  private KvWorkload() {}

  /** What to plant in an otherwise linearizable history. */
  enum Corruption {
    NONE,
    /** One get returns its value followed by {@code x corrupt y}, which nobody wrote. */
    UNWRITTEN,
    /**
     * One get returns the value its key held just before a put that completed before the get was
     * invoked: a stale read (see {@link #staleValue}).
     */
    STALE
  }

  /** The shape of a history. */
  record Shape(int operations, int keys, int processes, double writesLeftOpen) {
    /** The shape of the chaos-run histories of issue 17: 10 keys, 20 clients, 2 % left open. */
    static Shape chaos(int operations) {
      return new Shape(operations, 10, 20, 0.02);
    }
  }

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
    String stateBefore;
  }

  /** A put as it happened: where its lines are and what it overwrote. */
  private record Put(String key, int invokeLine, int completeLine, String stateBefore) {}

  /** A written value's origin, for telling which put a stale state started from. */
  private record Write(boolean put, int invokeLine, int completeLine) {}

  /** A completed get: the line of its {@code ok}, its invocation, key and result. */
  private record Get(String key, int invokeLine, int completeLine) {}

  private static final class Recorder {
    final List<String> lines;
    final List<Put> puts = new ArrayList<>();
    final Map<String, Write> writes = new HashMap<>();
    final List<Get> gets = new ArrayList<>();

    Recorder(int operations) {
      lines = new ArrayList<>(operations * 2);
    }
  }

  /**
   * A generated history.
   *
   * @param lines EDN lines like the shared kv files
   * @param corruptedLine index in {@code lines} of the corrupted get's completion, or -1
   */
  record Workload(List<String> lines, int corruptedLine) {}

  static Workload generate(long seed, Shape shape, Corruption corruption) {
    Random random = new Random(seed);
    Recorder recorder = new Recorder(shape.operations());
    List<String> lines = recorder.lines;
    Map<String, String> values = new HashMap<>();
    Client[] clients = new Client[shape.processes()];
    for (int p = 0; p < clients.length; p++) {
      clients[p] = new Client();
      clients[p].process = p;
    }
    long nextProcess = clients.length;
    int invoked = 0;
    int busy = 0;
    while (invoked < shape.operations() || busy > 0) {
      Client c = clients[random.nextInt(clients.length)];
      if (c.invokeLine < 0) {
        if (invoked < shape.operations()) {
          invoke(random, c, shape.keys(), lines);
          invoked++;
          busy++;
          c.abandoned = !c.f.equals("get") && random.nextDouble() < shape.writesLeftOpen();
        }
        continue;
      }
      if (!c.applied) {
        apply(c, values);
        continue;
      }
      busy--;
      if (c.abandoned) {
        // Never completes: the client gives up on it and carries on as a new process.
        record(recorder, c, -1);
        c.process = nextProcess++;
      } else {
        record(recorder, c, lines.size());
        lines.add(line(c.process, "ok", c.f, c.key, c.f.equals("get") ? c.result : c.argument));
      }
      c.invokeLine = -1;
      c.applied = false;
    }
    int corruptedLine =
        switch (corruption) {
          case NONE -> -1;
          case UNWRITTEN -> corruptUnwritten(random, recorder);
          case STALE -> corruptStale(random, recorder);
        };
    return new Workload(lines, corruptedLine);
  }

  private static void record(Recorder recorder, Client c, int completeLine) {
    switch (c.f) {
      case "get" -> recorder.gets.add(new Get(c.key, c.invokeLine, completeLine));
      case "put" -> {
        recorder.puts.add(new Put(c.key, c.invokeLine, completeLine, c.stateBefore));
        recorder.writes.put(c.argument, new Write(true, c.invokeLine, completeLine));
      }
      default -> recorder.writes.put(c.argument, new Write(false, c.invokeLine, completeLine));
    }
  }

  private static int pickGet(Random random, Recorder recorder) {
    int count = recorder.gets.size();
    return count / 2 + random.nextInt(Math.max(1, count / 4));
  }

  private static int corruptUnwritten(Random random, Recorder recorder) {
    int at = recorder.gets.get(pickGet(random, recorder)).completeLine();
    List<String> lines = recorder.lines;
    lines.set(at, lines.get(at).replaceFirst(":value \"([^\"]*)\"}", ":value \"$1x corrupt y\"}"));
    return at;
  }

  private static int corruptStale(Random random, Recorder recorder) {
    for (int g = pickGet(random, recorder); g < recorder.gets.size(); g++) {
      Get get = recorder.gets.get(g);
      String stale = staleValue(recorder, get);
      if (stale != null) {
        List<String> lines = recorder.lines;
        String line = lines.get(get.completeLine());
        lines.set(
            get.completeLine(),
            line.substring(0, line.indexOf(":value ")) + ":value \"" + stale + "\"}");
        return get.completeLine();
      }
    }
    throw new IllegalStateException("no get in the second half can be made provably stale");
  }

  /**
   * The value the get's key held just before the effect of the put P that completed last before the
   * get was invoked, if reading it is provably not linearizable; else null. Every state after P
   * starts with the value of a put placed after P (values are unique and {@code x…y}-delimited, so
   * a state's first token names the write that began it). The stale value qualifies when it is
   * empty, or starts with an append (so began from the empty value), or starts with a put that
   * completed before P was invoked (so is placed before P in every linearization).
   */
  private static String staleValue(Recorder recorder, Get get) {
    Put last = null;
    for (Put put : recorder.puts) {
      if (put.key().equals(get.key())
          && put.completeLine() >= 0
          && put.completeLine() < get.invokeLine()
          && (last == null || put.completeLine() > last.completeLine())) {
        last = put;
      }
    }
    if (last == null) {
      return null;
    }
    String stale = last.stateBefore();
    if (stale.isEmpty()) {
      return stale;
    }
    Write base = recorder.writes.get(stale.substring(0, stale.indexOf('y') + 1));
    boolean provable =
        !base.put() || (base.completeLine() >= 0 && base.completeLine() < last.invokeLine());
    return provable ? stale : null;
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
    c.stateBefore = current;
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
