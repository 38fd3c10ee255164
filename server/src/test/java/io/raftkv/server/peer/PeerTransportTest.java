package io.raftkv.server.peer;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkv.raft.Message;
import io.raftkv.server.Member;
import io.raftkv.server.MemberIds;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two transports on loopback: messages pass; a peer of another cluster and garbage on the peer port
 * are refused, and the transport goes on serving its own cluster.
 */
class PeerTransportTest {
  private final List<PeerTransport> transports = new ArrayList<>();

  @AfterEach
  void close() throws InterruptedException {
    for (PeerTransport transport : transports) {
      transport.close();
    }
  }

  private record Node(Member member, URI url) {}

  private static Node node(String name, String token) throws IOException {
    URI url = URI.create("http://127.0.0.1:" + freePort());
    return new Node(
        new Member(
            MemberIds.memberId(List.of(url), token),
            name,
            List.of(url),
            List.of(URI.create("http://127.0.0.1:1" + name.length()))),
        url);
  }

  private PeerTransport start(
      Node self, long clusterId, List<Member> members, BlockingQueue<Message> inbound)
      throws IOException {
    return start(self, clusterId, members, inbound, Runnable::run);
  }

  private PeerTransport start(
      Node self,
      long clusterId,
      List<Member> members,
      BlockingQueue<Message> inbound,
      Executor loop)
      throws IOException {
    PeerTransport transport =
        new PeerTransport(
            self.member(),
            clusterId,
            members,
            PeerLimits.defaults(4 << 20),
            hello -> {},
            () -> self.member().name());
    transports.add(transport);
    transport.start(List.of(self.url()), inbound::add, loop);
    return transport;
  }

  @Test
  void messagesPassAndStrangersAreRefused() throws Exception {
    Node a = node("a", "t");
    Node b = node("b", "t");
    List<Member> cluster = List.of(a.member(), b.member());
    long clusterId = MemberIds.clusterId(List.of(a.member().id(), b.member().id()));
    BlockingQueue<Message> atA = new LinkedBlockingQueue<>();
    BlockingQueue<Message> atB = new LinkedBlockingQueue<>();
    PeerTransport ta = start(a, clusterId, cluster, atA);
    start(b, clusterId, cluster, atB);

    // A stranger: same peer URL for b, another cluster id. It dials b and must be refused.
    Node stranger = node("s", "other");
    Member bAsSeenByStranger = b.member();
    BlockingQueue<Message> atStranger = new LinkedBlockingQueue<>();
    PeerTransport ts =
        start(stranger, 42, List.of(stranger.member(), bAsSeenByStranger), atStranger);
    sendGarbage(b.url());

    Message.Heartbeat heartbeat =
        new Message.Heartbeat(3, a.member().raftId(), b.member().raftId(), 7, 11);
    Message received = sendUntilReceived(ta, heartbeat, atB);
    assertThat(received).isEqualTo(heartbeat);

    ts.send(new Message.Heartbeat(9, stranger.member().raftId(), b.member().raftId(), 1, 1));
    ta.send(heartbeat);
    // Whatever arrives at b now comes from a; the stranger's heartbeat (term 9) never does.
    Message next = atB.poll(10, TimeUnit.SECONDS);
    assertThat(next).isNotNull();
    assertThat(next.term()).isEqualTo(3);
    assertThat(ts.connectedPeers()).isEmpty();
    assertThat(ta.connectedPeers()).containsExactly(b.member().raftId());
  }

  /**
   * A peer that sends as fast as it can, to a node whose loop takes nothing: the stream hands over
   * no more than {@code inboundFramesMax} frames the loop has not taken, however long the flood.
   */
  @Test
  void aFloodingPeerWaitsForTheLoopToTakeItsFrames() throws Exception {
    Node a = node("a", "t");
    Node b = node("b", "t");
    List<Member> cluster = List.of(a.member(), b.member());
    long clusterId = MemberIds.clusterId(List.of(a.member().id(), b.member().id()));
    PeerTransport ta = start(a, clusterId, cluster, new LinkedBlockingQueue<>());
    BlockingQueue<Runnable> untaken = new LinkedBlockingQueue<>();
    AtomicInteger mostUntaken = new AtomicInteger();
    Executor stalledLoop =
        task -> {
          untaken.add(task);
          mostUntaken.accumulateAndGet(untaken.size(), Math::max);
        };
    start(b, clusterId, cluster, new LinkedBlockingQueue<>(), stalledLoop);
    int framesAhead = PeerLimits.defaults(4 << 20).inboundFramesMax();

    AtomicBoolean flooding = new AtomicBoolean(true);
    Thread flood =
        Thread.ofPlatform()
            .start(
                () -> {
                  long index = 0;
                  while (flooding.get()) {
                    ta.send(
                        new Message.Heartbeat(
                            3, a.member().raftId(), b.member().raftId(), index++, 0));
                    if (index % 512 == 0) {
                      // Pacing, not synchronisation: a batch's worth at a time, leaving the cores
                      // to the transports.
                      java.util.concurrent.locks.LockSupport.parkNanos(200_000);
                    }
                  }
                });
    try {
      // Let the loop take one frame at a time: each frees room for exactly one more.
      for (int taken = 0; taken < 20; taken++) {
        Runnable next = untaken.poll(20, TimeUnit.SECONDS);
        assertThat(next).as("a frame after %d taken", taken).isNotNull();
        next.run();
      }
      awaitSize(untaken, framesAhead);
      assertThat(mostUntaken.get()).isEqualTo(framesAhead);
    } finally {
      flooding.set(false);
      flood.join();
    }
  }

  private static void awaitSize(BlockingQueue<Runnable> queue, int size)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (queue.size() < size) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("only " + queue.size() + " frames of " + size + " in 20 s");
      }
      Thread.sleep(5); // polling a condition with a deadline
    }
  }

  /** The first messages may be dropped while the stream opens (Raft retransmits); so do we. */
  private static Message sendUntilReceived(
      PeerTransport from, Message message, BlockingQueue<Message> inbound)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline) {
      from.send(message);
      Message got = inbound.poll(100, TimeUnit.MILLISECONDS);
      if (got != null) {
        return got;
      }
    }
    throw new AssertionError("no message arrived within 20 s");
  }

  private static void sendGarbage(URI url) throws IOException {
    try (Socket socket = new Socket(url.getHost(), url.getPort())) {
      OutputStream out = socket.getOutputStream();
      out.write(
          "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\nnot a frame at all".getBytes(StandardCharsets.US_ASCII));
      out.flush();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
