package io.raftkv.kv;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Key to {@link Chain} by hash, beside the skip list that keeps key order: a put to an existing key
 * costs a probe or two here instead of a skip-list traversal (about 20 cache misses at 1M keys,
 * most of a put's time). Open addressing with linear probing, at most half full; the hashes sit in
 * their own array so a probe reads a chain only when the hash matches. Removal shifts later entries
 * back (no tombstones), so probes never lengthen with churn.
 *
 * <p>Apply thread only. Growing rehashes every entry at once, once per doubling (not measured
 * alone; a pass over the stored hashes, no key is re-read). The hash is fixed (deterministic,
 * unseeded): keys chosen to collide degrade probes, never answers.
 */
final class ChainIndex {
  private static final int CAPACITY_MIN = 16;
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private Chain[] chains = new Chain[CAPACITY_MIN];
  private int[] hashes = new int[CAPACITY_MIN];
  private int count;

  int count() {
    return count;
  }

  /** 64-bit multiply-xorshift over 8-byte words, folded to 32 bits; spreads the low bits. */
  static int hash(byte[] key) {
    long h = 0x9E3779B97F4A7C15L ^ key.length;
    int i = 0;
    for (; i + Long.BYTES <= key.length; i += Long.BYTES) {
      h = mix(h ^ (long) LONGS.get(key, i));
    }
    long tail = 0;
    for (int shift = 0; i < key.length; i++, shift += 8) {
      tail |= (key[i] & 0xffL) << shift;
    }
    h = mix(h ^ tail);
    return (int) (h ^ (h >>> 32));
  }

  private static long mix(long h) {
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    return h ^ (h >>> 29);
  }

  Chain get(byte[] key, int hash) {
    int mask = chains.length - 1;
    for (int i = hash & mask; ; i = (i + 1) & mask) {
      Chain c = chains[i];
      if (c == null) {
        return null;
      }
      if (hashes[i] == hash && Arrays.equals(c.key, key)) {
        return c;
      }
    }
  }

  /** Adds {@code chain}, whose key must be absent. */
  void add(Chain chain) {
    if ((count + 1) * 2 > chains.length) {
      grow();
    }
    int mask = chains.length - 1;
    int i = chain.hash & mask;
    while (chains[i] != null) {
      Invariants.check(
          chains[i] != chain && !Arrays.equals(chains[i].key, chain.key),
          "key %s indexed twice",
          chain.key);
      i = (i + 1) & mask;
    }
    chains[i] = chain;
    hashes[i] = chain.hash;
    count++;
  }

  /** Removes {@code chain}, which must be present; later entries of its run shift back. */
  void remove(Chain chain) {
    int mask = chains.length - 1;
    int hole = chain.hash & mask;
    while (chains[hole] != chain) {
      Invariants.check(chains[hole] != null, "removing unindexed key %s", chain.key);
      hole = (hole + 1) & mask;
    }
    for (int i = (hole + 1) & mask; chains[i] != null; i = (i + 1) & mask) {
      int home = hashes[i] & mask;
      // The entry at i may move into the hole unless its home lies cyclically in (hole, i].
      boolean stays = hole <= i ? hole < home && home <= i : hole < home || home <= i;
      if (!stays) {
        chains[hole] = chains[i];
        hashes[hole] = hashes[i];
        hole = i;
      }
    }
    chains[hole] = null;
    hashes[hole] = 0;
    count--;
  }

  private void grow() {
    Chain[] old = chains;
    chains = new Chain[old.length * 2];
    hashes = new int[old.length * 2];
    int mask = chains.length - 1;
    for (Chain c : old) {
      if (c != null) {
        int i = c.hash & mask;
        while (chains[i] != null) {
          i = (i + 1) & mask;
        }
        chains[i] = c;
        hashes[i] = c.hash;
      }
    }
  }
}
