package io.raftkv.server.etcd;

import com.google.protobuf.CodedOutputStream;
import io.etcd.jetcd.api.ResponseHeader;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.raftkv.kv.LeaseInfo;
import io.raftkv.server.NodeContext;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * etcd's Lease/LeaseLeases ({@code etcdctl lease list}), missing from jetcd 0.8.7's protos: added
 * to the Lease service by hand. Its messages are tiny: the request is empty, the response is {@code
 * header = 1} and {@code repeated LeaseStatus leases = 2} with {@code int64 ID = 1}. Served from
 * this member's applied state, as etcd serves it from its lessor.
 */
final class LeaseLeases {
  static final String METHOD = "etcdserverpb.Lease/LeaseLeases";

  private LeaseLeases() {}

  record Leases(ResponseHeader header, List<Long> ids) {}

  static final MethodDescriptor<byte[], Leases> DESCRIPTOR =
      MethodDescriptor.<byte[], Leases>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName(METHOD)
          .setRequestMarshaller(new IgnoredRequest())
          .setResponseMarshaller(new LeasesMarshaller())
          .build();

  /** The Lease service as jetcd defines it, plus LeaseLeases. */
  static ServerServiceDefinition withLeaseLeases(
      ServerServiceDefinition lease, NodeContext node, Headers headers) {
    ServerServiceDefinition.Builder builder =
        ServerServiceDefinition.builder(lease.getServiceDescriptor().getName());
    lease.getMethods().forEach(builder::addMethod);
    builder.addMethod(
        DESCRIPTOR,
        ServerCalls.asyncUnaryCall(
            (byte[] request, StreamObserver<Leases> out) ->
                Replies.reply(list(node, headers), out)));
    return builder.build();
  }

  private static CompletableFuture<Leases> list(NodeContext node, Headers headers) {
    CompletableFuture<Leases> leases = new CompletableFuture<>();
    node.loop()
        .execute(
            () -> {
              List<Long> ids = new ArrayList<>();
              for (LeaseInfo lease : node.replica().leases()) {
                ids.add(lease.id());
              }
              leases.complete(new Leases(headers.onLoop(), ids));
            });
    return leases;
  }

  private static final class IgnoredRequest implements MethodDescriptor.Marshaller<byte[]> {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private static final class LeasesMarshaller implements MethodDescriptor.Marshaller<Leases> {
    @Override
    public InputStream stream(Leases value) {
      try {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        out.writeMessage(1, value.header());
        for (long id : value.ids()) {
          int size = CodedOutputStream.computeInt64Size(1, id);
          out.writeTag(2, com.google.protobuf.WireFormat.WIRETYPE_LENGTH_DELIMITED);
          out.writeUInt32NoTag(size);
          out.writeInt64(1, id);
        }
        out.flush();
        return new ByteArrayInputStream(bytes.toByteArray());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public Leases parse(InputStream stream) {
      throw new UnsupportedOperationException("the server only sends LeaseLeases responses");
    }
  }
}
