package io.raftkv.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkv.chaos.Partitions.Link;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The partition shapes cut exactly the links they name. */
class PartitionsTest {
  private static final List<String> FIVE = List.of("n1", "n2", "n3", "n4", "n5");

  @Test
  void isolatingANodeCutsItsLinksBothWaysAndNoOthers() {
    Set<Link> cuts = Partitions.isolate("n2", FIVE);
    assertThat(cuts).hasSize(8).contains(new Link("n2", "n1"), new Link("n1", "n2"));
    assertThat(cuts).allMatch(l -> l.from().equals("n2") || l.to().equals("n2"));
  }

  @Test
  void randomHalvesLeaveAMajoritySideConnected() {
    Set<Link> cuts = Partitions.randomHalves(FIVE, new Random(7));
    assertThat(cuts).hasSize(2 * 2 * 3);
    assertThat(cuts)
        .doesNotHaveDuplicates()
        .allMatch(l -> cuts.contains(new Link(l.to(), l.from())));
  }

  @Test
  void aBridgeNodeKeepsEveryLinkWhileTheHalvesAreCutFromEachOther() {
    Set<Link> cuts = Partitions.bridge(FIVE, new Random(7));
    assertThat(cuts).hasSize(2 * 2 * 2);
    List<String> bridges =
        FIVE.stream().filter(n -> cuts.stream().noneMatch(l -> l.from().equals(n))).toList();
    assertThat(bridges).hasSize(1);
  }

  @Test
  void oneWayCutsOnlyWhatTheNodeSends() {
    Set<Link> cuts = Partitions.oneWay("n3", FIVE);
    assertThat(cuts).hasSize(4).allMatch(l -> l.from().equals("n3"));
  }
}
