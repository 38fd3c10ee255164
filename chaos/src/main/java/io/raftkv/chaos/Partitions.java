package io.raftkv.chaos;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * The partitions a nemesis draws, as sets of directed links to cut ({@code from -> to}), Jepsen's
 * shapes: the leader isolated, random halves, a bridge (two halves that share one node), and one
 * way (one node hears the others but cannot reach them). Pure: the names and a seeded random in,
 * the cuts out.
 */
public final class Partitions {
  private Partitions() {}

  /** A directed link: {@code from}'s messages to {@code to}. */
  public record Link(String from, String to) {}

  /** Cuts every link between {@code isolated} and the others, both ways. */
  public static Set<Link> isolate(String isolated, List<String> nodes) {
    List<String> rest = nodes.stream().filter(n -> !n.equals(isolated)).toList();
    return between(List.of(isolated), rest);
  }

  /** Two random halves, the smaller of size n/2, cut from each other both ways. */
  public static Set<Link> randomHalves(List<String> nodes, Random random) {
    List<String> shuffled = new ArrayList<>(nodes);
    Collections.shuffle(shuffled, random);
    int half = nodes.size() / 2;
    return between(shuffled.subList(0, half), shuffled.subList(half, shuffled.size()));
  }

  /**
   * Jepsen's bridge: two halves that cannot reach each other, and one node that reaches both, so
   * each half and the bridge make a majority of their own.
   */
  public static Set<Link> bridge(List<String> nodes, Random random) {
    List<String> shuffled = new ArrayList<>(nodes);
    Collections.shuffle(shuffled, random);
    int half = (nodes.size() - 1) / 2;
    List<String> left = shuffled.subList(1, 1 + half);
    List<String> right = shuffled.subList(1 + half, shuffled.size());
    return between(left, right);
  }

  /** {@code deaf} cannot send to anyone; everyone still reaches it. */
  public static Set<Link> oneWay(String deaf, List<String> nodes) {
    Set<Link> cuts = new LinkedHashSet<>();
    for (String other : nodes) {
      if (!other.equals(deaf)) {
        cuts.add(new Link(deaf, other));
      }
    }
    return cuts;
  }

  private static Set<Link> between(List<String> left, List<String> right) {
    Set<Link> cuts = new LinkedHashSet<>();
    for (String a : left) {
      for (String b : right) {
        cuts.add(new Link(a, b));
        cuts.add(new Link(b, a));
      }
    }
    return cuts;
  }
}
