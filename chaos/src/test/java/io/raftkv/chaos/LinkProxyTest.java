package io.raftkv.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A directed link through {@link LinkProxy} to an echo server: cut, heal, one-way, delay, drop. */
class LinkProxyTest {
  private ServerSocket echo;
  private LinkProxy aToB;
  private LinkProxy bToA;

  @BeforeEach
  void startEchoServer() throws IOException {
    echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofVirtual()
        .start(
            () -> {
              while (!echo.isClosed()) {
                try {
                  Socket socket = echo.accept();
                  Thread.ofVirtual().start(() -> echoAll(socket));
                } catch (IOException e) {
                  return; // closed by the test
                }
              }
            });
    InetSocketAddress target =
        new InetSocketAddress(InetAddress.getLoopbackAddress(), echo.getLocalPort());
    aToB = new LinkProxy("a-b", target, 1);
    bToA = new LinkProxy("b-a", target, 2);
  }

  @AfterEach
  void stop() throws IOException {
    aToB.close();
    bToA.close();
    echo.close();
  }

  @Test
  void aCutLinkHoldsBytesUntilHealedAndLosesNone() throws IOException {
    try (Socket client = dial(aToB)) {
      assertThat(roundTrip(client, "before")).isEqualTo("before");
      aToB.cut();
      send(client, "during");
      client.setSoTimeout(500);
      assertThatThrownBy(() -> receive(client, 6)).isInstanceOf(SocketTimeoutException.class);
      aToB.heal();
      client.setSoTimeout(5_000);
      assertThat(receive(client, 6)).isEqualTo("during");
    }
  }

  @Test
  void cuttingOneDirectionLeavesTheOtherOpen() throws IOException {
    aToB.cut();
    try (Socket a = dial(aToB);
        Socket b = dial(bToA)) {
      assertThat(roundTrip(b, "b to a")).isEqualTo("b to a");
      send(a, "a to b");
      a.setSoTimeout(500);
      assertThatThrownBy(() -> receive(a, 6)).isInstanceOf(SocketTimeoutException.class);
    }
  }

  @Test
  void aDelayedLinkTakesAtLeastTheDelayEachWay() throws IOException {
    aToB.delay(Duration.ofMillis(200));
    try (Socket client = dial(aToB)) {
      long start = System.nanoTime();
      assertThat(roundTrip(client, "slow")).isEqualTo("slow");
      // One delay on the way there and one on the way back.
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(400));
      aToB.delay(Duration.ZERO);
      start = System.nanoTime();
      roundTrip(client, "fast");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(400));
    }
  }

  @Test
  void aDroppingLinkResetsTheConnection() throws IOException {
    aToB.dropConnections(1.0);
    try (Socket client = dial(aToB)) {
      send(client, "lost");
      client.setSoTimeout(5_000);
      // The proxy closes the connection instead of forwarding: end of stream, or a reset.
      int first;
      try {
        first = client.getInputStream().read();
      } catch (IOException reset) {
        first = -1;
      }
      assertThat(first).isEqualTo(-1);
    }
  }

  private static void echoAll(Socket socket) {
    try (socket;
        InputStream in = socket.getInputStream();
        OutputStream out = socket.getOutputStream()) {
      in.transferTo(out);
    } catch (IOException e) {
      // The proxy reset the connection: the echo for it ends.
    }
  }

  private static Socket dial(LinkProxy proxy) throws IOException {
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
    socket.setSoTimeout(5_000);
    return socket;
  }

  private static String roundTrip(Socket socket, String text) throws IOException {
    send(socket, text);
    return receive(socket, text.length());
  }

  private static void send(Socket socket, String text) throws IOException {
    socket.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
    socket.getOutputStream().flush();
  }

  private static String receive(Socket socket, int bytes) throws IOException {
    byte[] buffer = socket.getInputStream().readNBytes(bytes);
    return new String(buffer, StandardCharsets.UTF_8);
  }
}
