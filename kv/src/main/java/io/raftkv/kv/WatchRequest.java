package io.raftkv.kv;

/**
 * etcd's WatchCreateRequest. {@code startRevision} 0 means "from the next write"; an older revision
 * replays history from it (refused with the compact revision if compacted).
 */
public record WatchRequest(
    Bytes key,
    Bytes rangeEnd,
    long startRevision,
    boolean prevKv,
    boolean noPut,
    boolean noDelete) {

  public static WatchRequest key(Bytes key) {
    return new WatchRequest(key, Bytes.empty(), 0, false, false, false);
  }

  public static WatchRequest prefix(Bytes prefix) {
    return new WatchRequest(prefix, KeyRange.prefixEnd(prefix), 0, false, false, false);
  }

  public WatchRequest from(long revision) {
    return new WatchRequest(key, rangeEnd, revision, prevKv, noPut, noDelete);
  }

  public WatchRequest withPrevKv() {
    return new WatchRequest(key, rangeEnd, startRevision, true, noPut, noDelete);
  }
}
