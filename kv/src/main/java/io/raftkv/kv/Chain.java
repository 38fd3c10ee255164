package io.raftkv.kv;

/**
 * One key of the store: the ordered index and the hash index share this node. Immutable: the key's
 * newest version lives in {@link HeadSlots} at {@code slot} (see there why), so a write to an
 * existing key touches neither index.
 */
final class Chain {
  final byte[] key;

  /** {@link ChainIndex#hash} of {@code key}, kept so a resize never re-reads the key. */
  final int hash;

  final int slot;

  Chain(byte[] key, int hash, int slot) {
    this.key = key;
    this.hash = hash;
    this.slot = slot;
  }
}
