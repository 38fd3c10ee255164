package io.raftkv.chaos;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;

/**
 * One directed peer link, A to B, as a TCP proxy in this process: A dials the proxy's loopback port
 * instead of B's, and the nemesis decides what gets through. raftkv sends each node's messages to a
 * peer on the stream that node dialled (docs/server.md, "Streams"), so the connections through the
 * proxy for A to B carry exactly A's messages to B: cutting this link and not B's to A is a one-way
 * partition.
 *
 * <ul>
 *   <li>{@link #cut}: nothing passes either way on the link's connections, and bytes are held, not
 *       lost, as TCP holds them while a partition drops its packets; {@link #heal} lets them on.
 *   <li>{@link #delay}: every chunk waits this long before it is forwarded.
 *   <li>{@link #dropConnections}: each chunk resets its connection with this probability (drawn
 *       from the seed): what was in flight is lost and the sender reconnects.
 * </ul>
 */
public final class LinkProxy implements AutoCloseable {
  private static final int CHUNK_BYTES = 64 * 1024;

  private final String name;
  private final InetSocketAddress target;
  private final ServerSocket listener;
  private final Random random;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final ThreadFactory threads;
  private final Object gate = new Object();
  private boolean open = true;
  private volatile long delayNanos;
  private volatile double dropProbability;
  private volatile boolean closed;

  /** Listens on a free loopback port and forwards to {@code target}; {@code seed} draws drops. */
  public LinkProxy(String name, InetSocketAddress target, long seed) {
    this.name = name;
    this.target = target;
    this.random = new Random(seed);
    this.threads = Thread.ofVirtual().name("proxy-" + name + "-", 0).factory();
    try {
      this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException("proxy " + name + ": cannot listen", e);
    }
    threads.newThread(this::acceptLoop).start();
  }

  public String name() {
    return name;
  }

  /** The loopback port to dial instead of the target's. */
  public int port() {
    return listener.getLocalPort();
  }

  /** Holds every byte on this link, both ways, until {@link #heal}. */
  public void cut() {
    synchronized (gate) {
      open = false;
    }
  }

  /** Lets held and new bytes through; delay and drops stay as set. */
  public void heal() {
    synchronized (gate) {
      open = true;
      gate.notifyAll();
    }
  }

  public boolean isCut() {
    synchronized (gate) {
      return !open;
    }
  }

  /** Each chunk waits {@code delay} before it is forwarded; zero for none. */
  public void delay(Duration delay) {
    delayNanos = delay.toNanos();
  }

  /** Each chunk resets its connection with {@code probability}; 0 for none. */
  public void dropConnections(double probability) {
    dropProbability = probability;
  }

  /** Resets every connection now (the senders see an error and reconnect). */
  public void resetConnections() {
    for (Socket socket : sockets) {
      closeQuietly(socket);
    }
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket inbound = listener.accept();
        threads.newThread(() -> connect(inbound)).start();
      } catch (IOException e) {
        if (!closed) {
          throw new UncheckedIOException("proxy " + name + ": accept failed", e);
        }
      }
    }
  }

  private void connect(Socket inbound) {
    sockets.add(inbound);
    Socket outbound = new Socket();
    sockets.add(outbound);
    try {
      inbound.setTcpNoDelay(true);
      outbound.setTcpNoDelay(true);
      outbound.connect(target, 5_000);
    } catch (IOException e) {
      // The target is down (killed, not started yet): the dialer sees a reset, as without us.
      closeBoth(inbound, outbound);
      return;
    }
    threads.newThread(() -> pump(inbound, outbound)).start();
    pump(outbound, inbound);
  }

  private void pump(Socket from, Socket to) {
    byte[] chunk = new byte[CHUNK_BYTES];
    try (InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream()) {
      int read;
      while ((read = in.read(chunk)) >= 0) {
        awaitOpen();
        long delay = delayNanos;
        if (delay > 0) {
          Thread.sleep(Duration.ofNanos(delay));
        }
        if (drawDrop()) {
          break;
        }
        out.write(chunk, 0, read);
        out.flush();
      }
    } catch (SocketException e) {
      // Reset by a peer, by a drop or by resetConnections: the connection ends, nothing else.
    } catch (IOException e) {
      // The same for a failed write: the other side is gone.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      closeBoth(from, to);
    }
  }

  private boolean drawDrop() {
    double probability = dropProbability;
    if (probability <= 0) {
      return false;
    }
    synchronized (random) {
      return random.nextDouble() < probability;
    }
  }

  private void awaitOpen() throws InterruptedException {
    synchronized (gate) {
      while (!open && !closed) {
        gate.wait();
      }
    }
  }

  private void closeBoth(Socket a, Socket b) {
    closeQuietly(a);
    closeQuietly(b);
    sockets.remove(a);
    sockets.remove(b);
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // Closing a socket that failed already: nothing is left to release.
    }
  }

  @Override
  public void close() {
    closed = true;
    heal();
    try {
      listener.close();
    } catch (IOException e) {
      throw new UncheckedIOException("proxy " + name + ": close failed", e);
    }
    resetConnections();
  }
}
