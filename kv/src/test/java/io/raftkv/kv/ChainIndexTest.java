package io.raftkv.kv;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * The hash index against a HashMap. Chains carry whatever hash the test gives them, so a few hash
 * values force long runs, runs that wrap around the end of the table, and removals from their
 * middle (the backward shift).
 */
class ChainIndexTest {
  private static byte[] key(int i) {
    return ("k" + i).getBytes(StandardCharsets.UTF_8);
  }

  @Property(tries = 200)
  void agreesWithAHashMapUnderCollidingAddsAndRemoves(@ForAll long seed) {
    Random r = new Random(seed);
    ChainIndex index = new ChainIndex();
    Map<Integer, Chain> model = new HashMap<>();
    // Few distinct hashes, some near the top of a 16- or 32-slot table so runs wrap around.
    int[] hashes = {0, 1, 13, 14, 15, 31, 30, -1, 17};
    int keySpace = 5 + r.nextInt(60);
    for (int step = 0; step < 400; step++) {
      int k = r.nextInt(keySpace);
      Chain present = model.get(k);
      if (present == null && r.nextInt(3) != 0) {
        Chain c = new Chain(key(k), hashes[r.nextInt(hashes.length)], 0);
        index.add(c);
        model.put(k, c);
      } else if (present != null && r.nextBoolean()) {
        index.remove(present);
        model.remove(k);
      }
      assertThat(index.count()).as("seed %d step %d", seed, step).isEqualTo(model.size());
      for (int j = 0; j < keySpace; j++) {
        Chain expected = model.get(j);
        int hash = expected == null ? hashes[j % hashes.length] : expected.hash;
        if (expected == null) {
          for (int h : hashes) {
            assertThat(index.get(key(j), h)).as("seed %d step %d key %d", seed, step, j).isNull();
          }
        } else {
          assertThat(index.get(key(j), hash))
              .as("seed %d step %d key %d", seed, step, j)
              .isSameAs(expected);
        }
      }
    }
  }

  @Test
  void growsPastManyKeysAndFindsEachByItsRealHash() {
    ChainIndex index = new ChainIndex();
    int count = 100_000;
    for (int i = 0; i < count; i++) {
      byte[] k = key(i);
      index.add(new Chain(k, ChainIndex.hash(k), i));
    }
    for (int i = 0; i < count; i += 2) {
      byte[] k = key(i);
      index.remove(index.get(k, ChainIndex.hash(k)));
    }
    assertThat(index.count()).isEqualTo(count / 2);
    for (int i = 0; i < count; i++) {
      byte[] k = key(i);
      Chain c = index.get(k, ChainIndex.hash(k));
      if (i % 2 == 0) {
        assertThat(c).as("key %d", i).isNull();
      } else {
        assertThat(c.key).as("key %d", i).isEqualTo(k);
      }
    }
  }

  @Test
  void hashSpreadsSequentialKeysOverTheLowBits() {
    Set<Integer> buckets = new HashSet<>();
    for (int i = 0; i < 4096; i++) {
      buckets.add(
          ChainIndex.hash(String.format("key/%010d", i).getBytes(StandardCharsets.UTF_8)) & 8191);
    }
    // 4096 random draws into 8192 buckets fill about 3,220; a weak hash clusters far below.
    assertThat(buckets.size()).isGreaterThan(3000);
  }
}
