package io.raftkv.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.WatchCreateRequest;
import io.etcd.jetcd.api.WatchResponse;
import io.raftkv.client.ExactlyOnce;
import io.raftkv.client.ExactlyOnceUnavailableException;
import io.raftkv.client.RaftkvClient;
import io.raftkv.client.Watch;
import io.raftkv.client.Watcher;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client against a real etcd (Debian's /usr/bin/etcd, skipped when absent): reads, writes and
 * watches work, and the client says exactly-once is unavailable rather than pretending.
 */
class ClientAgainstEtcdTest {
  private static final Path ETCD = Path.of("/usr/bin/etcd");

  @TempDir Path root;

  @Test
  void worksAgainstEtcdAndSaysExactlyOnceIsUnavailable() throws Exception {
    Assumptions.assumeTrue(
        Files.isExecutable(ETCD), "no etcd binary at " + ETCD + ": the etcd check is skipped");
    int clientPort = freePort();
    int peerPort = freePort();
    String client = "http://127.0.0.1:" + clientPort;
    String peer = "http://127.0.0.1:" + peerPort;
    Process etcd =
        new ProcessBuilder(
                ETCD.toString(),
                "--name",
                "e1",
                "--data-dir",
                root.resolve("e1").toString(),
                "--listen-client-urls",
                client,
                "--advertise-client-urls",
                client,
                "--listen-peer-urls",
                peer,
                "--initial-advertise-peer-urls",
                peer,
                "--initial-cluster",
                "e1=" + peer)
            .redirectErrorStream(true)
            .redirectOutput(root.resolve("etcd.log").toFile())
            .start();
    try (RaftkvClient preferred =
            RaftkvClient.builder().endpoints(client).callTimeout(Duration.ofSeconds(30)).build();
        RaftkvClient required =
            RaftkvClient.builder()
                .endpoints(client)
                .callTimeout(Duration.ofSeconds(30))
                .exactlyOnce(ExactlyOnce.REQUIRED)
                .build()) {
      long revision = preferred.kv().put("k", "v").get().getHeader().getRevision();
      LinkedBlockingQueue<WatchResponse> events = new LinkedBlockingQueue<>();
      Watcher watcher =
          preferred
              .watch()
              .watch(
                  WatchCreateRequest.newBuilder()
                      .setKey(ByteString.copyFromUtf8("k"))
                      .setStartRevision(revision)
                      .build(),
                  new Watch.Listener() {
                    @Override
                    public void onEvents(WatchResponse response) {
                      events.add(response);
                    }

                    @Override
                    public void onEnded(Throwable why) {}
                  });
      assertThat(preferred.kv().get("k").get().getKvs(0).getValue().toStringUtf8()).isEqualTo("v");
      assertThat(preferred.kv().exactlyOnce().get()).isFalse();
      WatchResponse event = events.poll(30, TimeUnit.SECONDS);
      assertThat(event).as("the put's watch event").isNotNull();
      assertThat(event.getEvents(0).getKv().getValue().toStringUtf8()).isEqualTo("v");
      watcher.close();

      assertThatThrownBy(() -> required.kv().put("k", "again").get())
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(ExactlyOnceUnavailableException.class)
          .hasMessageContaining("exactly-once writes unavailable");
      assertThat(preferred.kv().get("k").get().getKvs(0).getVersion())
          .as("the refused write was not sent")
          .isEqualTo(1);
      assertThat(preferred.maintenance().status(client).get().getVersion()).startsWith("3.");
      assertThat(preferred.cluster().memberList().get().getMembersList())
          .extracting(m -> m.getName())
          .isEqualTo(List.of("e1"));
    } finally {
      etcd.destroyForcibly();
      etcd.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
