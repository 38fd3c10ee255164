package io.raftkv.checker;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A set of configurations that keeps only undominated ones (see {@link Configuration#dominates}).
 * Configurations are grouped by their core, so a check costs the size of one group, which is small
 * unless indeterminate operations pile up.
 */
final class Dominance {
  private final Map<Core, List<Configuration>> groups = new LinkedHashMap<>();
  private int size;

  /** A view of a configuration whose equality ignores its indeterminate operations. */
  private record Core(Configuration c) {
    @Override
    public boolean equals(Object other) {
      return other instanceof Core core && core.c.sameCore(c);
    }

    @Override
    public int hashCode() {
      return c.coreHash;
    }
  }

  /** Adds unless dominated by a member; drops the members it dominates. True if added. */
  boolean add(Configuration c) {
    List<Configuration> group = groups.computeIfAbsent(new Core(c), k -> new ArrayList<>(1));
    for (Configuration member : group) {
      if (member.dominates(c)) {
        return false;
      }
    }
    for (Iterator<Configuration> it = group.iterator(); it.hasNext(); ) {
      if (c.dominates(it.next())) {
        it.remove();
        size--;
      }
    }
    group.add(c);
    size++;
    return true;
  }

  /** True while {@code c} itself (not an equal copy) is a member. */
  @SuppressWarnings("ReferenceEquality") // membership by identity, as documented
  boolean contains(Configuration c) {
    List<Configuration> group = groups.get(new Core(c));
    if (group != null) {
      for (Configuration member : group) {
        if (member == c) {
          return true;
        }
      }
    }
    return false;
  }

  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  /** The members, grouped by core, groups in order of first insertion. */
  List<Configuration> members() {
    List<Configuration> all = new ArrayList<>(size);
    for (List<Configuration> group : groups.values()) {
      all.addAll(group);
    }
    return all;
  }
}
