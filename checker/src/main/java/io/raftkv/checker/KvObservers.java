package io.raftkv.checker;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds which gets may show which written values without comparing every pair, for {@link
 * KvModel#observerCandidates}. It works for values <em>delimited</em> by a first character and a
 * different last character that occurs nowhere else in the value ({@code x 3 17 y}, as chaos runs
 * write): an occurrence of such a value v inside a get's result at position i starts with v's first
 * character and ends at the first occurrence of v's last character after i. So, per delimiter pair,
 * each position of the first character in a result names the only value that can occur there, and
 * one pass over the results finds every get containing each value. Values that are not delimited
 * get null: every get is a candidate.
 */
final class KvObservers {
  private KvObservers() {}

  static int[][] candidates(List<Operation> writes, List<Operation> readers) {
    int[][] result = new int[writes.size()][];
    // delimiter pair -> value -> positions in writes
    Map<Long, Map<String, List<Integer>>> byDelimiters = new HashMap<>();
    for (int w = 0; w < writes.size(); w++) {
      String value = (String) writes.get(w).input();
      if (!delimited(value)) {
        continue; // stays null: every reader is a candidate
      }
      long pair = ((long) value.charAt(0) << 16) | value.charAt(value.length() - 1);
      byDelimiters
          .computeIfAbsent(pair, k -> new HashMap<>())
          .computeIfAbsent(value, k -> new ArrayList<>(1))
          .add(w);
      result[w] = new int[0];
    }
    List<List<Integer>> found = new ArrayList<>(writes.size());
    for (int w = 0; w < writes.size(); w++) {
      found.add(null);
    }
    for (Map.Entry<Long, Map<String, List<Integer>>> group : byDelimiters.entrySet()) {
      char first = (char) (group.getKey() >>> 16);
      char last = (char) (group.getKey() & 0xffff);
      Map<String, List<Integer>> values = group.getValue();
      for (int r = 0; r < readers.size(); r++) {
        Operation reader = readers.get(r);
        if (reader.function().equals("get") && reader.output() instanceof String seen) {
          scan(seen, first, last, values, r, found);
        }
      }
    }
    for (int w = 0; w < writes.size(); w++) {
      if (result[w] != null && found.get(w) != null) {
        result[w] = found.get(w).stream().mapToInt(Integer::intValue).toArray();
      }
    }
    return result;
  }

  private static void scan(
      String seen,
      char first,
      char last,
      Map<String, List<Integer>> values,
      int reader,
      List<List<Integer>> found) {
    for (int i = seen.indexOf(first); i >= 0; i = seen.indexOf(first, i + 1)) {
      int end = seen.indexOf(last, i + 1);
      if (end < 0) {
        return;
      }
      List<Integer> writes = values.get(seen.substring(i, end + 1));
      if (writes == null) {
        continue;
      }
      for (int w : writes) {
        List<Integer> readers = found.get(w);
        if (readers == null) {
          readers = new ArrayList<>(2);
          found.set(w, readers);
        }
        if (readers.isEmpty() || readers.get(readers.size() - 1) != reader) {
          readers.add(reader);
        }
      }
    }
  }

  /** At least two characters, the last different from the first and absent from the rest. */
  private static boolean delimited(String value) {
    int length = value.length();
    if (length < 2) {
      return false;
    }
    char last = value.charAt(length - 1);
    return value.charAt(0) != last && value.indexOf(last) == length - 1;
  }
}
