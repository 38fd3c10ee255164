package io.raftkv.server.etcd;

import com.google.protobuf.Empty;
import com.google.protobuf.UInt64Value;
import io.grpc.CallOptions;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.raftkv.kv.SessionOpenRequest;
import io.raftkv.kv.SessionOpenResponse;

/**
 * raftkv's extension of the etcd API for exactly-once writes (Raft thesis §6.3): {@code
 * raftkv.session.v1.Session/Open} opens a client session in the state machine, and a Put,
 * DeleteRange or Txn that carries the session's id and a sequence number in its metadata is applied
 * at most once however often it is retried (the kv module's Sessions keep the answer). A real etcd
 * has neither, which is how a client tells them apart. The client module declares the same names
 * (io.raftkv.client.SessionProtocol): it depends on nothing of ours.
 */
final class SessionService {
  static final String SERVICE_NAME = "raftkv.session.v1.Session";

  static final MethodDescriptor<Empty, UInt64Value> OPEN =
      MethodDescriptor.<Empty, UInt64Value>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE_NAME, "Open"))
          .setRequestMarshaller(ProtoUtils.marshaller(Empty.getDefaultInstance()))
          .setResponseMarshaller(ProtoUtils.marshaller(UInt64Value.getDefaultInstance()))
          .build();

  static final Metadata.Key<String> CLIENT_ID =
      Metadata.Key.of("raftkv-session-client", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> SEQUENCE =
      Metadata.Key.of("raftkv-session-sequence", Metadata.ASCII_STRING_MARSHALLER);

  /** The session a write came with; null without one. */
  record ClientSession(long clientId, long sequence) {
    Metadata headers() {
      Metadata headers = new Metadata();
      headers.put(CLIENT_ID, Long.toString(clientId));
      headers.put(SEQUENCE, Long.toString(sequence));
      return headers;
    }
  }

  static final Context.Key<ClientSession> SESSION = Context.key("raftkv-session");

  private SessionService() {}

  static ServerServiceDefinition definition(KvService kv) {
    return ServerServiceDefinition.builder(SERVICE_NAME)
        .addMethod(
            OPEN,
            ServerCalls.asyncUnaryCall(
                (Empty request, io.grpc.stub.StreamObserver<UInt64Value> out) ->
                    Replies.serve(
                        () ->
                            kv.write(
                                new SessionOpenRequest(),
                                r -> UInt64Value.of(((SessionOpenResponse) r).clientId()),
                                channel ->
                                    ClientCalls.futureUnaryCall(
                                        channel.newCall(OPEN, CallOptions.DEFAULT), request)),
                        out)))
        .build();
  }

  /** Puts a call's session headers into its context; malformed ones are refused. */
  static final class Interceptor implements ServerInterceptor {
    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
        ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
      String clientId = headers.get(CLIENT_ID);
      String sequence = headers.get(SEQUENCE);
      if (clientId == null && sequence == null) {
        return next.startCall(call, headers);
      }
      ClientSession session;
      try {
        session = new ClientSession(Long.parseLong(clientId), Long.parseLong(sequence));
      } catch (NumberFormatException e) {
        call.close(
            Status.INVALID_ARGUMENT.withDescription(
                "raftkv: session headers need a decimal "
                    + CLIENT_ID.name()
                    + " and "
                    + SEQUENCE.name()
                    + ", got "
                    + clientId
                    + " and "
                    + sequence),
            new Metadata());
        return new ServerCall.Listener<>() {};
      }
      Context context = Context.current().withValue(SESSION, session);
      return Contexts.interceptCall(context, call, headers, next);
    }
  }
}
