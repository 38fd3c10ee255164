package io.raftkv.server.peer;

import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.raftkv.raft.Message;
import io.raftkv.server.peer.proto.Hello;
import io.raftkv.server.peer.proto.PeerFrame;
import io.raftkv.server.peer.proto.RaftMessage;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The accepting side of peer streams: checks each stream's {@link Hello}, answers with its own,
 * then hands every message of every batch to the replica. Each stream asks gRPC for its next frame
 * only once the node's loop has taken an earlier one ({@link PeerLimits#inboundFramesMax} ahead).
 * The one gRPC method is declared here by hand (peer.proto declares it too, for readers), so the
 * build needs no grpc-java protoc plugin.
 */
final class PeerService {
  private static final Logger LOG = LoggerFactory.getLogger(PeerService.class);

  static final String SERVICE_NAME = "raftkv.peer.v1.Peer";

  static final MethodDescriptor<PeerFrame, PeerFrame> STREAM =
      MethodDescriptor.<PeerFrame, PeerFrame>newBuilder()
          .setType(MethodDescriptor.MethodType.BIDI_STREAMING)
          .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE_NAME, "Stream"))
          .setRequestMarshaller(ProtoUtils.marshaller(PeerFrame.getDefaultInstance()))
          .setResponseMarshaller(ProtoUtils.marshaller(PeerFrame.getDefaultInstance()))
          .build();

  private final PeerTransport transport;
  private final Consumer<Message> inbound;
  private final Executor afterInbound;
  private final int framesAhead;

  /**
   * @param inbound takes each accepted message (it queues it on the node's loop)
   * @param afterInbound runs a task after every message handed to {@code inbound} so far (the
   *     node's loop, in order): the stream asks for its next frame from there
   */
  PeerService(
      PeerTransport transport, Consumer<Message> inbound, Executor afterInbound, int framesAhead) {
    this.transport = transport;
    this.inbound = inbound;
    this.afterInbound = afterInbound;
    this.framesAhead = framesAhead;
  }

  ServerServiceDefinition definition() {
    return ServerServiceDefinition.builder(SERVICE_NAME)
        .addMethod(
            STREAM,
            ServerCalls.asyncBidiStreamingCall(
                replies -> {
                  var call = (ServerCallStreamObserver<PeerFrame>) replies;
                  call.disableAutoRequest();
                  call.request(framesAhead);
                  return new InboundStream(call);
                }))
        .build();
  }

  /** One peer's stream towards us. gRPC calls its methods one at a time. */
  private final class InboundStream implements StreamObserver<PeerFrame> {
    private final ServerCallStreamObserver<PeerFrame> replies;
    private Hello hello;
    private boolean closed;

    InboundStream(ServerCallStreamObserver<PeerFrame> replies) {
      this.replies = replies;
    }

    @Override
    public void onNext(PeerFrame frame) {
      if (closed) {
        return;
      }
      if (hello == null) {
        accept(frame);
        return;
      }
      if (frame.getBodyCase() != PeerFrame.BodyCase.BATCH) {
        refuse(Status.INVALID_ARGUMENT, "expected a message batch, got " + frame.getBodyCase());
        return;
      }
      for (RaftMessage raw : frame.getBatch().getMessagesList()) {
        Message message;
        try {
          message = PeerCodec.decode(raw);
        } catch (MalformedPeerMessageException | IllegalArgumentException e) {
          refuse(Status.INVALID_ARGUMENT, "malformed message: " + e.getMessage());
          return;
        }
        if (message.from().equals(transport.raftIdOf(hello.getFromMemberId()))
            && message.to().equals(transport.self().raftId())) {
          inbound.accept(message);
        } else {
          LOG.debug(
              "dropped a message addressed {} -> {} on {}'s stream",
              message.from(),
              message.to(),
              hello.getFromName());
        }
      }
      afterInbound.execute(() -> replies.request(1));
    }

    private void accept(PeerFrame frame) {
      if (frame.getBodyCase() != PeerFrame.BodyCase.HELLO) {
        refuse(Status.INVALID_ARGUMENT, "a peer stream must open with a hello");
        return;
      }
      String problem = transport.checkHello(frame.getHello());
      if (problem != null) {
        refuse(Status.FAILED_PRECONDITION, problem);
        return;
      }
      hello = frame.getHello();
      transport.peerHello(hello);
      replies.onNext(
          PeerFrame.newBuilder().setHello(transport.helloTo(hello.getFromMemberId())).build());
      LOG.info("{} peer {} connected (inbound)", transport.logContext(), hello.getFromName());
      replies.request(1);
    }

    private void refuse(Status status, String why) {
      closed = true;
      LOG.warn("{} refused a peer stream: {}", transport.logContext(), why);
      replies.onError(status.withDescription(why).asRuntimeException());
    }

    @Override
    public void onError(Throwable t) {
      ended();
    }

    @Override
    public void onCompleted() {
      ended();
      if (!closed) {
        closed = true;
        replies.onCompleted();
      }
    }

    private void ended() {
      if (hello != null) {
        LOG.info("{} peer {} disconnected (inbound)", transport.logContext(), hello.getFromName());
        hello = null;
      }
    }
  }
}
