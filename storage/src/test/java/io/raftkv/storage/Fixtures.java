package io.raftkv.storage;

import io.raftkv.raft.Entry;
import io.raftkv.raft.HardState;
import io.raftkv.raft.NodeId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Shared test helpers: entries with recognisable data, a fatal handler that records. */
final class Fixtures {
  static final Path DIR = Path.of("/node");
  static final Path WAL_DIR = DIR.resolve("wal");
  static final Path SNAP_DIR = DIR.resolve("snap");

  private Fixtures() {}

  static Entry entry(long term, long index) {
    return Entry.command(term, index, ("v" + index + "t" + term).getBytes(StandardCharsets.UTF_8));
  }

  static Entry entry(long term, long index, byte[] data) {
    return Entry.command(term, index, data);
  }

  static List<Entry> entries(long term, long fromIndex, long toIndex) {
    List<Entry> result = new ArrayList<>();
    for (long i = fromIndex; i <= toIndex; i++) {
      result.add(entry(term, i));
    }
    return result;
  }

  static HardState hard(long term, int vote, long commit) {
    return new HardState(term, NodeId.of(vote), commit);
  }

  /** Records fatal errors instead of halting, as the simulator does. */
  static final class RecordingFatal implements FatalDiskHandler {
    final List<FatalDiskError> errors = new ArrayList<>();

    @Override
    public synchronized void onFatal(FatalDiskError error) {
      errors.add(error);
    }
  }

  static StorageOptions options(long segmentBytes, FatalDiskHandler fatal) {
    return StorageOptions.defaults().withSegmentBytesMax(segmentBytes).withFatalHandler(fatal);
  }

  static StorageOptions options(long segmentBytes) {
    return options(segmentBytes, error -> {});
  }
}
