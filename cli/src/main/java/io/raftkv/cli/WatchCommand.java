package io.raftkv.cli;

import io.etcd.jetcd.api.Event;
import io.etcd.jetcd.api.WatchCreateRequest;
import io.etcd.jetcd.api.WatchResponse;
import io.raftkv.client.RaftkvClient;
import io.raftkv.client.Watch;
import io.raftkv.client.Watcher;
import java.io.PrintWriter;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * etcdctl's watch: prints events as they come, until interrupted (Ctrl-C) or the watch ends for
 * good (compaction, a cancel), which is an error. A broken stream is resumed by the client.
 */
@Command(name = "watch", description = "Prints every change of a key or range as it happens.")
final class WatchCommand extends ClientCommand {
  @Mixin KeyRangeOptions range;

  @Option(names = "--rev", description = "from this revision (default: from now)")
  long revision;

  @Option(names = "--prev-kv", description = "print each key's previous value too")
  boolean prevKv;

  @Override
  int run(RaftkvClient client, PrintWriter out) throws Exception {
    WatchCreateRequest request =
        WatchCreateRequest.newBuilder()
            .setKey(range.key())
            .setRangeEnd(range.rangeEnd())
            .setStartRevision(revision)
            .setPrevKv(prevKv)
            .build();
    CompletableFuture<Void> ended = new CompletableFuture<>();
    Watcher watcher =
        client
            .watch()
            .watch(
                request,
                new Watch.Listener() {
                  @Override
                  public void onEvents(WatchResponse response) {
                    print(out, response);
                  }

                  @Override
                  public void onEnded(Throwable why) {
                    ended.completeExceptionally(why);
                  }
                });
    try {
      ended.get();
      return 0;
    } finally {
      watcher.close();
    }
  }

  private void print(PrintWriter out, WatchResponse response) {
    if (options.json()) {
      out.println(Printer.json(response));
    } else {
      for (Event event : response.getEventsList()) {
        out.println(event.getType());
        if (prevKv && event.hasPrevKv()) {
          Printer.keyValue(out, event.getPrevKv(), false);
        }
        Printer.keyValue(out, event.getKv(), false);
      }
    }
    out.flush();
  }
}
