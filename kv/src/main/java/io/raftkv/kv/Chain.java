package io.raftkv.kv;

/**
 * One key and the newest version of its history. The ordered index and the hash index share
 * this node, so a write to an existing key updates one field instead of two maps. {@code head}
 * is volatile because a snapshot thread reads it while the apply thread writes: the version it
 * sees is then fully built, and filtering the chain to its revision does the rest.
 */
final class Chain {
  final byte[] key;
  /** {@link ChainIndex#hash} of {@code key}, kept so a resize never re-reads the key. */
  final int hash;
  volatile Version head;

  Chain(byte[] key, int hash, Version head) {
    this.key = key;
    this.hash = hash;
    this.head = head;
  }
}
