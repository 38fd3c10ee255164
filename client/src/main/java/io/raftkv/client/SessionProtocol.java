package io.raftkv.client;

import com.google.protobuf.Empty;
import com.google.protobuf.UInt64Value;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.protobuf.ProtoUtils;

/**
 * raftkv's extension of the etcd API for exactly-once writes (Raft thesis §6.3). A client opens a
 * session with {@link #OPEN} (its id is the log index of the open) and sends every Put, DeleteRange
 * and Txn with two metadata headers: the session id and the write's sequence number, from 1, the
 * same on every retry of that write. The state machine answers a sequence it already applied with
 * the stored response instead of applying it again. A real etcd ignores the headers and answers
 * {@link #OPEN} with UNIMPLEMENTED. The server declares the same names in
 * io.raftkv.server.etcd.SessionService (the client depends on nothing of ours, so they are written
 * twice; the end-to-end tests in cli hold them together).
 */
final class SessionProtocol {
  static final String SERVICE_NAME = "raftkv.session.v1.Session";

  static final MethodDescriptor<Empty, UInt64Value> OPEN =
      MethodDescriptor.<Empty, UInt64Value>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE_NAME, "Open"))
          .setRequestMarshaller(ProtoUtils.marshaller(Empty.getDefaultInstance()))
          .setResponseMarshaller(ProtoUtils.marshaller(UInt64Value.getDefaultInstance()))
          .build();

  /** Decimal session id. */
  static final Metadata.Key<String> CLIENT_ID =
      Metadata.Key.of("raftkv-session-client", Metadata.ASCII_STRING_MARSHALLER);

  /** Decimal sequence number of the write within its session, from 1. */
  static final Metadata.Key<String> SEQUENCE =
      Metadata.Key.of("raftkv-session-sequence", Metadata.ASCII_STRING_MARSHALLER);

  private SessionProtocol() {}
}
