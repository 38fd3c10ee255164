package io.raftkv.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

/** The production {@link FileSystem}: {@link FileChannel}s, {@code force} for fsync. */
public final class RealFileSystem implements FileSystem {
  private static final int PREALLOCATE_CHUNK_BYTES = 1 << 20;

  @Override
  public WritableFile create(Path path) throws IOException {
    return new ChannelFile(
        FileChannel.open(
            path,
            StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE,
            StandardOpenOption.READ));
  }

  @Override
  public WritableFile openAppend(Path path) throws IOException {
    FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE, StandardOpenOption.READ);
    channel.position(channel.size());
    return new ChannelFile(channel);
  }

  @Override
  public ReadableFile openRead(Path path) throws IOException {
    return new ChannelFile(FileChannel.open(path, StandardOpenOption.READ));
  }

  @Override
  public List<String> list(Path directory) throws IOException {
    try (Stream<Path> paths = Files.list(directory)) {
      return paths
          .filter(Files::isRegularFile)
          .map(p -> p.getFileName().toString())
          .sorted()
          .toList();
    }
  }

  @Override
  public boolean exists(Path path) {
    return Files.exists(path);
  }

  @Override
  public void rename(Path source, Path target) throws IOException {
    Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  @Override
  public void delete(Path path) throws IOException {
    Files.delete(path);
  }

  @Override
  public void createDirectories(Path directory) throws IOException {
    Files.createDirectories(directory);
  }

  @Override
  public void syncDirectory(Path directory) throws IOException {
    // Linux lets a directory be opened read-only and fsynced; that is what makes a rename or a
    // new segment's name durable.
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  private record ChannelFile(FileChannel channel) implements WritableFile, ReadableFile {
    @Override
    public void write(ByteBuffer source) throws IOException {
      while (source.hasRemaining()) {
        channel.write(source);
      }
    }

    @Override
    public void sync() throws IOException {
      // fdatasync: it still flushes the file length, which is all the metadata a reader needs.
      channel.force(false);
    }

    @Override
    public long sizeBytes() throws IOException {
      return channel.size();
    }

    @Override
    public void position(long position) throws IOException {
      if (position > channel.size()) {
        throw new IOException(
            "position " + position + " is past the end (" + channel.size() + " bytes)");
      }
      channel.position(position);
    }

    @Override
    public void preallocate(long sizeBytes) throws IOException {
      ByteBuffer zeros = ByteBuffer.allocateDirect(PREALLOCATE_CHUNK_BYTES);
      for (long at = channel.size(); at < sizeBytes; ) {
        zeros.clear().limit((int) Math.min(zeros.capacity(), sizeBytes - at));
        at += channel.write(zeros, at);
      }
      channel.force(false);
    }

    @Override
    public void truncate(long sizeBytes) throws IOException {
      channel.truncate(sizeBytes);
      channel.position(sizeBytes);
    }

    @Override
    public int read(ByteBuffer destination, long position) throws IOException {
      return channel.read(destination, position);
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
  }
}
