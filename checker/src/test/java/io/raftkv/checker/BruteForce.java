package io.raftkv.checker;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The oracle: tries every order of the whole history (no partitioning, no reductions, no
 * memoisation) and every choice of which indeterminate operations took effect. Only for small
 * histories. It shares the models' step functions, which have their own tests, and nothing else
 * with the search.
 */
final class BruteForce {
  private final Model model;
  private final List<Operation> required = new ArrayList<>();
  private final List<Operation> optional = new ArrayList<>();

  private BruteForce(Model model, History history) {
    this.model = model;
    for (Operation op : history.operations()) {
      boolean isRead = op.function().equals("read") || op.function().equals("get");
      switch (op.outcome()) {
        case OK -> required.add(op);
        // A failed cas without an error evaluated its comparison; any other failure is void.
        case FAIL -> {
          if (op.function().equals("cas") && op.error() == null) {
            required.add(op);
          }
        }
        // An indeterminate read shows nothing; an indeterminate write may or may not apply.
        case UNKNOWN -> {
          if (!isRead) {
            optional.add(op);
          }
        }
      }
    }
  }

  static boolean linearizable(Model model, History history) {
    BruteForce search = new BruteForce(model, history);
    int optionalCount = search.optional.size();
    for (long mask = 0; mask < (1L << optionalCount); mask++) {
      List<Operation> chosen = new ArrayList<>(search.required);
      for (int i = 0; i < optionalCount; i++) {
        if ((mask & (1L << i)) != 0) {
          chosen.add(search.optional.get(i));
        }
      }
      if (search.someOrder(chosen, new boolean[chosen.size()], new HashMap<>(), 0)) {
        return true;
      }
    }
    return false;
  }

  /** a must precede b when a's completion line comes before b's invocation (not for info). */
  private static boolean precedes(Operation a, Operation b) {
    return a.outcome() != Outcome.UNKNOWN && a.completeIndex() < b.invokeIndex();
  }

  private boolean someOrder(
      List<Operation> chosen, boolean[] placed, Map<Object, Object> state, int placedCount) {
    if (placedCount == chosen.size()) {
      return true;
    }
    for (int i = 0; i < chosen.size(); i++) {
      if (placed[i] || !minimal(chosen, placed, i)) {
        continue;
      }
      Operation op = chosen.get(i);
      Object key = model.partitionedByKey() ? op.key() : null;
      Object before = state.getOrDefault(key, model.initialState());
      Object after = model.step(before, op);
      if (after == null) {
        continue;
      }
      placed[i] = true;
      state.put(key, after);
      boolean found = someOrder(chosen, placed, state, placedCount + 1);
      state.put(key, before);
      placed[i] = false;
      if (found) {
        return true;
      }
    }
    return false;
  }

  private static boolean minimal(List<Operation> chosen, boolean[] placed, int candidate) {
    for (int j = 0; j < chosen.size(); j++) {
      if (!placed[j] && j != candidate && precedes(chosen.get(j), chosen.get(candidate))) {
        return false;
      }
    }
    return true;
  }
}
