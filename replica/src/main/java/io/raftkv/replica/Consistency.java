package io.raftkv.replica;

/** How current a read must be. */
public enum Consistency {
  /** Reflects every write acknowledged before the read began (ReadIndex or lease). */
  LINEARIZABLE,
  /** This node's applied state, possibly behind (etcd's {@code --consistency=s}). */
  SERIALIZABLE
}
