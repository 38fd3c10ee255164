package io.raftkv.client;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import io.etcd.jetcd.api.ResponseHeader;
import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * etcd's Lease/LeaseLeases, missing from jetcd 0.8.7's protos: an empty request, and a response of
 * {@code ResponseHeader header = 1; repeated LeaseStatus leases = 2} with {@code int64 ID = 1} in
 * each LeaseStatus (etcd's rpc.proto). The server declares it in io.raftkv.server.etcd.LeaseLeases;
 * the end-to-end tests in cli hold the two together.
 */
final class LeaseLeasesProtocol {
  static final MethodDescriptor<byte[], LeaseList> LEASE_LEASES =
      MethodDescriptor.<byte[], LeaseList>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName("etcdserverpb.Lease/LeaseLeases")
          .setRequestMarshaller(new EmptyRequest())
          .setResponseMarshaller(new LeaseListMarshaller())
          .build();

  private static final int HEADER_FIELD = 1;
  private static final int LEASES_FIELD = 2;
  private static final int LEASE_ID_FIELD = 1;

  private LeaseLeasesProtocol() {}

  static LeaseList parse(CodedInputStream in) throws IOException {
    ResponseHeader header = ResponseHeader.getDefaultInstance();
    List<Long> ids = new ArrayList<>();
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      if (is(tag, HEADER_FIELD, WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
        header = ResponseHeader.parseFrom(in.readBytes());
      } else if (is(tag, LEASES_FIELD, WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
        ids.add(leaseId(CodedInputStream.newInstance(in.readBytes().toByteArray())));
      } else {
        in.skipField(tag); // a newer etcd's fields (LeaseStatus has only ID in 3.4)
      }
    }
    return new LeaseList(header, ids);
  }

  private static long leaseId(CodedInputStream status) throws IOException {
    long id = 0;
    for (int tag = status.readTag(); tag != 0; tag = status.readTag()) {
      if (is(tag, LEASE_ID_FIELD, WireFormat.WIRETYPE_VARINT)) {
        id = status.readInt64();
      } else {
        status.skipField(tag);
      }
    }
    return id;
  }

  private static boolean is(int tag, int field, int wireType) {
    return WireFormat.getTagFieldNumber(tag) == field && WireFormat.getTagWireType(tag) == wireType;
  }

  private static final class EmptyRequest implements MethodDescriptor.Marshaller<byte[]> {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      throw new UnsupportedOperationException("the client only sends LeaseLeases requests");
    }
  }

  private static final class LeaseListMarshaller implements MethodDescriptor.Marshaller<LeaseList> {
    @Override
    public InputStream stream(LeaseList value) {
      throw new UnsupportedOperationException("the client only reads LeaseLeases responses");
    }

    @Override
    public LeaseList parse(InputStream stream) {
      try {
        return LeaseLeasesProtocol.parse(CodedInputStream.newInstance(stream));
      } catch (IOException e) {
        throw new UncheckedIOException("malformed LeaseLeasesResponse", e);
      }
    }
  }
}
