package io.raftkv.cli;

import com.google.common.io.ByteStreams;
import io.raftkv.client.Maintenance;
import io.raftkv.client.RaftkvClient;
import io.raftkv.kv.KvLimits;
import io.raftkv.kv.KvStore;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** etcdctl's snapshot save. */
@Command(
    name = "snapshot",
    description = "Saves a member's snapshot to a file.",
    subcommands = {SnapshotCommand.Save.class})
final class SnapshotCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "a snapshot subcommand is required");
  }

  /**
   * Streams Maintenance.Snapshot into FILE.part, progress on stderr, then checks it before renaming
   * it to FILE: etcd's shape (a multiple of 512 bytes plus a SHA-256 of them, which must match, as
   * etcdctl checks) and then that the image restores as a store. Asks the one endpoint given, or
   * the leader of several (the freshest state). A file that fails a check is removed: exit 1.
   */
  @Command(name = "save", description = "Saves a snapshot of a member's state to FILE.")
  static final class Save extends ClientCommand {
    private static final int SHA256_BYTES = 32;
    private static final int ALIGN_BYTES = 512;

    @Parameters(index = "0", paramLabel = "FILE")
    Path file;

    @Override
    int run(RaftkvClient client, PrintWriter out) throws Exception {
      PrintWriter err = spec.commandLine().getErr();
      String endpoint =
          options.endpoints.size() == 1
              ? options.endpoints.get(0)
              : client.maintenance().findLeader().get().orElse(options.endpoints.get(0));
      Path directory = file.toAbsolutePath().getParent();
      if (!Files.isDirectory(directory)) {
        throw new IllegalArgumentException(
            "no directory " + directory + " to save " + file + " in");
      }
      Path partial = file.resolveSibling(file.getFileName() + ".part");
      try {
        long bytes;
        try (OutputStream to = new BufferedOutputStream(Files.newOutputStream(partial))) {
          bytes = client.maintenance().snapshot(endpoint, to, new Progress(err)).get();
        }
        KvStore restored = verify(partial, bytes);
        Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
        err.printf(
            "snapshot: from %s, %s, checksum ok, restores to revision %d with %d keys%n",
            endpoint, EndpointCommand.bytes(bytes), restored.revision(), restored.keyCount());
        err.flush();
      } finally {
        Files.deleteIfExists(partial);
      }
      out.println("Snapshot saved at " + file);
      return 0;
    }

    /** etcd's shape and checksum, then the image restores; the store it restores to. */
    private static KvStore verify(Path partial, long bytes) throws IOException {
      if (bytes != Files.size(partial) || bytes % ALIGN_BYTES != SHA256_BYTES) {
        throw new IOException(
            String.format(
                "snapshot %s: %d bytes is not a multiple of %d plus a %d-byte SHA-256",
                partial, Files.size(partial), ALIGN_BYTES, SHA256_BYTES));
      }
      byte[] stored;
      try (InputStream in = Files.newInputStream(partial)) {
        in.skipNBytes(bytes - SHA256_BYTES);
        stored = in.readAllBytes();
      }
      byte[] computed = sha256Prefix(partial, bytes - SHA256_BYTES);
      if (!Arrays.equals(stored, computed)) {
        throw new IOException(
            String.format(
                "snapshot %s: sha256 mismatch: stored %s, computed %s",
                partial, HexFormat.of().formatHex(stored), HexFormat.of().formatHex(computed)));
      }
      return restore(partial, bytes - SHA256_BYTES);
    }

    /**
     * The store the image restores to. The image is followed by zero padding up to the checksum and
     * the reader refuses bytes after its own CRC, so the image ends just after the last non-zero
     * byte, or up to three bytes later where its CRC ends in zero bytes.
     */
    private static KvStore restore(Path partial, long paddedBytes) throws IOException {
      long lastNonZero = lastNonZeroBefore(partial, paddedBytes);
      IOException refused = null;
      for (long end = lastNonZero + 1; end <= Math.min(lastNonZero + 4, paddedBytes); end++) {
        try (InputStream in = Files.newInputStream(partial)) {
          return KvStore.restore(ByteStreams.limit(in, end), KvLimits.defaults());
        } catch (IOException e) {
          refused = refused == null ? e : refused;
        }
      }
      throw new IOException(
          "snapshot " + partial + ": the image does not restore: " + refused.getMessage(), refused);
    }

    private static long lastNonZeroBefore(Path file, long end) throws IOException {
      long start = Math.max(0, end - ALIGN_BYTES - 8);
      byte[] tail;
      try (InputStream in = Files.newInputStream(file)) {
        in.skipNBytes(start);
        tail = in.readNBytes((int) (end - start));
      }
      for (int i = tail.length - 1; i >= 0; i--) {
        if (tail[i] != 0) {
          return start + i;
        }
      }
      throw new IOException("snapshot " + file + ": more than " + ALIGN_BYTES + " zero bytes");
    }

    private static byte[] sha256Prefix(Path file, long length) throws IOException {
      MessageDigest digest = sha256();
      try (InputStream in = Files.newInputStream(file)) {
        byte[] buffer = new byte[64 * 1024];
        long left = length;
        while (left > 0) {
          int read = in.read(buffer, 0, (int) Math.min(buffer.length, left));
          if (read < 0) {
            throw new IOException("snapshot " + file + " ended " + left + " bytes early");
          }
          digest.update(buffer, 0, read);
          left -= read;
        }
      }
      return digest.digest();
    }

    private static MessageDigest sha256() {
      try {
        return MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("every JDK has SHA-256", e);
      }
    }
  }

  /** A stderr line at each tenth of the snapshot received, so a long save is seen to move. */
  private static final class Progress implements Maintenance.SnapshotProgress {
    private final PrintWriter err;
    private long tenthsShown = -1;

    Progress(PrintWriter err) {
      this.err = err;
    }

    @Override
    public void onProgress(long receivedBytes, long totalBytes) {
      long tenths = totalBytes == 0 ? 10 : receivedBytes * 10 / totalBytes;
      if (tenths > tenthsShown) {
        tenthsShown = tenths;
        err.printf(
            "snapshot: received %s of %s (%d%%)%n",
            EndpointCommand.bytes(receivedBytes), EndpointCommand.bytes(totalBytes), tenths * 10);
        err.flush();
      }
    }
  }
}
