package io.raftkv.sim;

/**
 * How this seed configures every replica.
 *
 * @param tickNanos the core's tick
 * @param churn election timeouts short next to replication and one entry per append, so leaders
 *     come and go while their predecessors' entries are half replicated (Figure 8)
 */
record ReplicaParameters(
    long tickNanos,
    int electionTimeoutTicks,
    boolean leaseReads,
    long snapshotEveryEntries,
    boolean churn) {

  int appendEntriesMax() {
    return churn ? 1 : 1024;
  }

  int inflightAppendsMax() {
    return churn ? 2 : 64;
  }

  long electionTimeoutNanos() {
    return electionTimeoutTicks * tickNanos;
  }
}
