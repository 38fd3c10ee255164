package io.raftkv.kv;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * The newest version of every key, kept in slots of fixed-size arrays rather than in a field of
 * each key's {@link Chain}. Why: every put stores a new (young) version into the key's head. If
 * heads were fields of 1M small objects scattered over the old generation, each young collection
 * would rescan nearly all of it for those old-to-young pointers (dirty cards; we measured young
 * pauses of 1–6 s at 1M keys). Packed here, the dirty cards are at most 4 bytes a key, a few MiB at
 * 1M keys.
 *
 * <p>Only the apply thread allocates, releases and writes slots. A snapshot thread reads them:
 * release stores and acquire loads publish each version fully built. A slot is released only by
 * physical compaction, which never runs while a snapshot is open, so a snapshot never reads a slot
 * reused by another key.
 */
final class HeadSlots {
  private static final int SEGMENT_BITS = 14;
  private static final int SEGMENT_SLOTS = 1 << SEGMENT_BITS;
  private static final int SLOT_MASK = SEGMENT_SLOTS - 1;
  private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Version[].class);

  /** Replaced by a longer copy when a segment is added; segments themselves never move. */
  private volatile Version[][] segments = new Version[0][];

  private int[] free = new int[16];
  private int freeCount;
  private int nextSlot;

  int allocate(Version head) {
    int slot;
    if (freeCount > 0) {
      slot = free[--freeCount];
    } else {
      slot = nextSlot++;
      if ((slot >>> SEGMENT_BITS) == segments.length) {
        Version[][] longer = Arrays.copyOf(segments, segments.length + 1);
        longer[segments.length] = new Version[SEGMENT_SLOTS];
        segments = longer;
      }
    }
    set(slot, head);
    return slot;
  }

  void release(int slot) {
    Invariants.check(get(slot) != null, "slot %d released twice", slot);
    set(slot, null);
    if (freeCount == free.length) {
      free = Arrays.copyOf(free, free.length * 2);
    }
    free[freeCount++] = slot;
  }

  Version get(int slot) {
    return (Version) SLOT.getAcquire(segments[slot >>> SEGMENT_BITS], slot & SLOT_MASK);
  }

  void set(int slot, Version head) {
    SLOT.setRelease(segments[slot >>> SEGMENT_BITS], slot & SLOT_MASK, head);
  }
}
