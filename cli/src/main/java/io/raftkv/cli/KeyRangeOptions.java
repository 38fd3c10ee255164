package io.raftkv.cli;

import com.google.protobuf.ByteString;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** KEY [RANGE_END] with etcdctl's --prefix and --from-key. */
final class KeyRangeOptions {
  @Parameters(index = "0", paramLabel = "KEY")
  String key;

  @Parameters(
      index = "1",
      arity = "0..1",
      paramLabel = "RANGE_END",
      description = "end of the range, exclusive")
  String rangeEnd;

  @Option(names = "--prefix", description = "every key starting with KEY")
  boolean prefix;

  @Option(names = "--from-key", description = "every key from KEY on")
  boolean fromKey;

  ByteString key() {
    return ByteString.copyFromUtf8(key);
  }

  /** etcd's range_end: empty for one key. */
  ByteString rangeEnd() {
    int given = (prefix ? 1 : 0) + (fromKey ? 1 : 0) + (rangeEnd != null ? 1 : 0);
    if (given > 1) {
      throw new IllegalArgumentException("give one of RANGE_END, --prefix and --from-key");
    }
    if (prefix) {
      return prefixEnd(key());
    }
    if (fromKey) {
      return ByteString.copyFrom(new byte[] {0});
    }
    return rangeEnd == null ? ByteString.EMPTY : ByteString.copyFromUtf8(rangeEnd);
  }

  /** The first key after every key starting with {@code prefix} (etcd's GetPrefixRangeEnd). */
  static ByteString prefixEnd(ByteString prefix) {
    byte[] end = prefix.toByteArray();
    for (int i = end.length - 1; i >= 0; i--) {
      if (end[i] != (byte) 0xff) {
        end[i]++;
        return ByteString.copyFrom(end, 0, i + 1);
      }
    }
    // Every byte 0xff, or no prefix at all: the range runs to the end of the key space.
    return ByteString.copyFrom(new byte[] {0});
  }
}
