/**
 * The raftkv process: configuration and flags, the production event loop, the peer transport over
 * TCP, and the etcd v3 gRPC services on top of a {@code Replica} (docs/server.md).
 */
package io.raftkv.server;
