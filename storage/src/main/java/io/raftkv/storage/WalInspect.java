package io.raftkv.storage;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code raftkv wal inspect DIR}: what a node's storage directory holds, every CRC verified,
 * nothing changed. Exit 0 when sound (a torn log tail is named, and is repaired on the next open),
 * 1 when anything is corrupt, with the file and offset.
 */
public final class WalInspect {
  private WalInspect() {}

  public static void main(String[] args) {
    if (args.length != 1) {
      System.err.println("usage: raftkv wal inspect DIR");
      System.exit(2);
    }
    System.exit(run(new RealFileSystem(), Path.of(args[0]), System.out));
  }

  /** Prints the report to {@code out}; returns the exit status. */
  public static int run(FileSystem fs, Path dir, PrintStream out) {
    int status = 0;
    Path walDir = dir.resolve("wal");
    try {
      if (!fs.exists(walDir)) {
        out.println("no wal directory in " + dir);
        return 1;
      }
      WalRecovery.Result result = WalRecovery.recover(fs, walDir, false);
      for (WalRecovery.SegmentInfo s : result.segments()) {
        out.printf(
            "segment %s bytes=%d records=%d first_index=%d last_index=%d "
                + "terms=%d..%d preallocated=%d%n",
            s.fileName(),
            s.bytes(),
            s.recordCount(),
            s.firstIndex(),
            s.lastIndex(),
            s.firstTerm(),
            s.lastTerm(),
            Math.max(0, s.fileBytes() - s.bytes()));
      }
      LogState state = result.state();
      out.printf(
          "log snapshot_index=%d snapshot_term=%d last_index=%d entries=%d%n",
          state.baseIndex(), state.baseTerm(), state.lastIndex(), state.entries().size());
      out.printf(
          "hard_state term=%d voted_for=%s commit=%d%n",
          state.hardState().currentTerm(),
          state.hardState().votedFor(),
          state.hardState().commitIndex());
      if (result.torn()) {
        out.printf(
            "TORN TAIL %s offset=%d bytes=%d (%s): a crash mid-write; dropped, keeping "
                + "every record before it, on the next open%n",
            result.tornFile(), result.tornOffset(), result.tornBytes(), result.tornReason());
      }
    } catch (CorruptStorageException e) {
      out.println("CORRUPT " + e.getMessage());
      status = 1;
    } catch (IOException e) {
      out.println("ERROR reading " + walDir + ": " + e.getMessage());
      return 1;
    }
    return Math.max(status, inspectSnapshots(fs, dir.resolve("snap"), out));
  }

  private static int inspectSnapshots(FileSystem fs, Path snapDir, PrintStream out) {
    SnapshotStore store = new SnapshotStore(fs, snapDir, error -> {});
    int status = 0;
    try {
      List<String> names = store.fileNames();
      for (String name : names) {
        try {
          SnapshotMeta meta = store.verify(name);
          out.printf(
              "snapshot %s index=%d term=%d voters=%s ok%n",
              name, meta.index(), meta.term(), meta.configuration().voters());
        } catch (CorruptStorageException e) {
          out.println("CORRUPT " + e.getMessage());
          status = 1;
        }
      }
      if (names.isEmpty()) {
        out.println("no snapshots");
      }
    } catch (IOException e) {
      out.println("ERROR reading " + snapDir + ": " + e.getMessage());
      return 1;
    }
    return status;
  }
}
