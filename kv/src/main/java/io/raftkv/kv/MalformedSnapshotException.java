package io.raftkv.kv;

import java.io.IOException;

/** A snapshot stream that is truncated, corrupt or of an unknown format; says where. */
public final class MalformedSnapshotException extends IOException {
  public MalformedSnapshotException(String message) {
    super(message);
  }
}
