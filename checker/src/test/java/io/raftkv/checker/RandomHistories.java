package io.raftkv.checker;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Generates JSONL histories by simulating clients against a real sequential object: each operation
 * takes effect at a random instant inside its interval (its linearization point), so with no
 * corruption the history is linearizable by construction. Some operations end in {@code info} or
 * never complete (having taken effect or not), some are refused with an error, and, with
 * probability {@code corruptReads}, a read reports a value it never saw.
 */
final class RandomHistories {
  /**
   * What to generate. {@code keys} = 0 means operations carry no key. kv values are one letter
   * ({@code a}, {@code b}, ...: not delimited, so the observer index falls back to comparing every
   * pair), or with {@code delimited} {@code xNy} as chaos runs write them, N drawn from {@code
   * values} (few values: duplicates; many: mostly unique).
   */
  record Shape(
      String model,
      int operations,
      int processes,
      int keys,
      int values,
      double indeterminate,
      double corruptReads,
      boolean delimited) {
    Shape(
        String model,
        int operations,
        int processes,
        int keys,
        int values,
        double indeterminate,
        double corruptReads) {
      this(model, operations, processes, keys, values, indeterminate, corruptReads, false);
    }

    String kvValue(Random random) {
      int drawn = random.nextInt(values);
      return delimited ? "x" + drawn + "y" : String.valueOf((char) ('a' + drawn));
    }
  }

  private RandomHistories() {}

  private enum Phase {
    IDLE,
    INVOKED,
    APPLIED,
    RETIRED
  }

  private static final class Client {
    Phase phase = Phase.IDLE;
    long id;
    String f;
    Object key;
    Object input;
    Object output;
    boolean casMatched;
  }

  static List<String> generate(Random random, Shape shape) {
    List<String> lines = new ArrayList<>();
    Map<Object, Object> state = new HashMap<>();
    Model model = Models.byName(shape.model());
    List<Client> clients = new ArrayList<>();
    for (int p = 0; p < shape.processes(); p++) {
      Client c = new Client();
      c.id = p;
      clients.add(c);
    }
    int invoked = 0;
    long nextId = shape.processes();
    int stepsMax = shape.operations() * 20 + 100;
    for (int step = 0; step < stepsMax; step++) {
      Client c = clients.get(random.nextInt(clients.size()));
      switch (c.phase) {
        case RETIRED -> {
          c.id = nextId++; // Jepsen's way: a retired process comes back under a new id
          c.phase = Phase.IDLE;
        }
        case IDLE -> {
          if (invoked < shape.operations()) {
            invoke(random, shape, c, lines);
            invoked++;
          }
        }
        case INVOKED -> {
          if (random.nextDouble() < shape.indeterminate() / 2) {
            lines.add(completion(c, "info", null, null));
            c.phase = Phase.RETIRED;
          } else if (random.nextDouble() < 0.05) {
            lines.add(completion(c, "fail", c.input, "refused"));
            c.phase = Phase.IDLE;
          } else {
            apply(model, state, c);
          }
        }
        case APPLIED -> complete(random, shape, c, lines);
      }
    }
    return lines;
  }

  private static void invoke(Random random, Shape shape, Client c, List<String> lines) {
    boolean kv = shape.model().equals("kv");
    int choice = random.nextInt(3);
    c.f =
        kv
            ? new String[] {"get", "put", "append"}[choice]
            : new String[] {"read", "write", "cas"}[choice];
    c.key = shape.keys() == 0 ? null : "k" + random.nextInt(shape.keys());
    c.input =
        switch (c.f) {
          case "get", "read" -> null;
          case "put", "append" -> shape.kvValue(random);
          case "write" -> (long) random.nextInt(shape.values());
          default ->
              List.of((long) random.nextInt(shape.values()), (long) random.nextInt(shape.values()));
        };
    c.phase = Phase.INVOKED;
    lines.add(line(c, "invoke", c.input, null));
  }

  private static void apply(Model model, Map<Object, Object> state, Client c) {
    Object current = state.getOrDefault(c.key, model.initialState());
    switch (c.f) {
      case "get", "read" -> c.output = current == Values.NIL ? null : current;
      case "put", "write" -> state.put(c.key, c.input);
      case "append" -> state.put(c.key, current + (String) c.input);
      default -> {
        List<?> pair = (List<?>) c.input;
        c.casMatched = current.equals(pair.get(0));
        if (c.casMatched) {
          state.put(c.key, pair.get(1));
        }
      }
    }
    c.phase = Phase.APPLIED;
  }

  private static void complete(Random random, Shape shape, Client c, List<String> lines) {
    if (random.nextDouble() < shape.indeterminate() / 2) {
      lines.add(completion(c, "info", null, null));
      c.phase = Phase.RETIRED;
      return;
    }
    Object output = c.output;
    if ((c.f.equals("read") || c.f.equals("get")) && random.nextDouble() < shape.corruptReads()) {
      output =
          c.f.equals("get")
              ? shape.kvValue(random)
              : (Object) (long) random.nextInt(shape.values());
    }
    boolean failed = c.f.equals("cas") && !c.casMatched;
    String type = failed ? "fail" : "ok";
    Object value = c.f.equals("read") || c.f.equals("get") ? output : c.input;
    lines.add(completion(c, type, value, null));
    c.phase = Phase.IDLE;
  }

  private static String completion(Client c, String type, Object value, String error) {
    return line(c, type, value, error);
  }

  private static String line(Client c, String type, Object value, String error) {
    Map<String, Object> fields = new java.util.LinkedHashMap<>();
    fields.put("process", c.id);
    fields.put("type", type);
    fields.put("f", c.f);
    if (c.key != null) {
      fields.put("key", c.key);
    }
    fields.put("value", value);
    if (error != null) {
      fields.put("error", error);
    }
    return Json.write(new StringBuilder(), fields).toString();
  }
}
