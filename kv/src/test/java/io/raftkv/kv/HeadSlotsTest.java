package io.raftkv.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Head slots: across segment boundaries, released slots reused, a double release caught. */
class HeadSlotsTest {
  private static Version version(long revision) {
    return new Version(revision, revision, 0, 1, 0, new byte[0], null);
  }

  @Test
  void slotsSpanSegmentsAndReleasedOnesAreReused() {
    HeadSlots heads = new HeadSlots();
    List<Integer> slots = new ArrayList<>();
    for (int i = 0; i < 40_000; i++) {
      slots.add(heads.allocate(version(i)));
    }
    for (int i = 0; i < 40_000; i++) {
      assertThat(heads.get(slots.get(i)).modRevision).as("slot %d", slots.get(i)).isEqualTo(i);
    }
    heads.release(slots.get(20_000));
    heads.release(slots.get(5));
    int reused = heads.allocate(version(-1));
    assertThat(reused).isEqualTo(slots.get(5));
    assertThat(heads.allocate(version(-2))).isEqualTo(slots.get(20_000));
    assertThat(heads.allocate(version(-3))).as("then new slots again").isEqualTo(40_000);
    heads.set(reused, version(7));
    assertThat(heads.get(reused).modRevision).isEqualTo(7);
  }

  @Test
  void releasingASlotTwiceIsAnInvariantViolation() {
    HeadSlots heads = new HeadSlots();
    int slot = heads.allocate(version(1));
    heads.release(slot);
    assertThatThrownBy(() -> heads.release(slot)).isInstanceOf(InvariantViolation.class);
  }
}
