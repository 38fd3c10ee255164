package io.raftkv.client;

/** Whether writes carry a raftkv client session, so that a retry never applies twice. */
public enum ExactlyOnce {
  /** Sessions when the cluster offers them (raftkv), plain etcd writes otherwise (etcd). */
  PREFERRED,
  /**
   * Sessions or no write at all: against etcd every write fails with {@link
   * ExactlyOnceUnavailableException}.
   */
  REQUIRED,
  /** Plain etcd writes: a write whose outcome is open is not retried. */
  OFF
}
