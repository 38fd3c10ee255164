package io.raftkv.client;

import io.etcd.jetcd.api.ResponseHeader;
import java.util.List;

/**
 * etcd's LeaseLeasesResponse ({@code etcdctl lease list}): the header and the id of every lease the
 * member knows. jetcd 0.8.7's protos lack the message, so the client reads it by hand ({@link
 * LeaseLeasesProtocol}).
 */
public record LeaseList(ResponseHeader header, List<Long> ids) {
  public LeaseList {
    ids = List.copyOf(ids);
  }
}
