package io.raftkv.chaos;

import io.etcd.jetcd.api.HashKVResponse;
import io.etcd.jetcd.api.RangeResponse;
import io.raftkv.client.RaftkvClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The end of a run, after every fault is healed: a linearizable read of every key (recorded in the
 * history, so the checker holds it to everything before), and every member's HashKV at the same
 * revision once all have applied the same log.
 */
final class Convergence {
  private static final Duration POLL = Duration.ofMillis(200);

  private Convergence() {}

  /** What the members said at the end. */
  record Result(boolean converged, String line) {}

  /** Reads every key once, in the history; returns {@code k0=7 k1=nil ...}. */
  static String finalReads(RaftkvClient client, HistoryLog history, List<String> keys) {
    List<String> values = new ArrayList<>();
    for (String key : keys) {
      int process = history.newProcess();
      history.invoke(process, "read", key, null);
      try {
        RangeResponse response = client.kv().get(key).get(30, TimeUnit.SECONDS);
        String value =
            response.getKvsCount() == 0 ? "null" : response.getKvs(0).getValue().toStringUtf8();
        history.complete(process, HistoryLog.Type.OK, "read", key, value, null);
        values.add(key + "=" + (value.equals("null") ? "nil" : value));
      } catch (ExecutionException | TimeoutException e) {
        Outcomes.Outcome outcome = Outcomes.of(e);
        history.complete(process, outcome.type(), "read", key, null, outcome.reason());
        values.add(key + "=?(" + outcome.reason() + ")");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        history.complete(process, HistoryLog.Type.INFO, "read", key, null, "interrupted");
        return String.join(" ", values);
      }
    }
    return String.join(" ", values);
  }

  /**
   * Waits until every member has applied the same index and answers the same HashKV at the same
   * revision; a member that never does within {@code timeout} is named.
   */
  static Result hashes(RaftkvClient client, List<ServerNode> nodes, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "no member answered";
    while (System.nanoTime() < deadline) {
      Optional<Long> applied = sameApplied(nodes);
      if (applied.isPresent()) {
        Map<String, String> hashes = new LinkedHashMap<>();
        for (ServerNode node : nodes) {
          hashes.put(node.name(), hashOf(client, node));
        }
        if (hashes.values().stream().distinct().count() == 1
            && !hashes.values().iterator().next().startsWith("?")) {
          return new Result(
              true,
              String.format(
                  "converged: %d/%d members applied index %d, HashKV %s",
                  nodes.size(), nodes.size(), applied.get(), hashes.values().iterator().next()));
        }
        last = "HashKV differs: " + hashes;
      } else {
        last = "applied indexes differ: " + appliedIndexes(nodes);
      }
      Thread.sleep(POLL);
    }
    return new Result(false, "NOT converged after " + timeout.toSeconds() + " s: " + last);
  }

  private static Optional<Long> sameApplied(List<ServerNode> nodes) {
    Long applied = null;
    for (ServerNode node : nodes) {
      Optional<NodeStatus> status = node.status(ClusterHealth.PROBE_TIMEOUT);
      if (status.isEmpty()) {
        return Optional.empty();
      }
      long index = status.get().appliedIndex();
      if (applied != null && applied != index) {
        return Optional.empty();
      }
      applied = index;
    }
    return Optional.ofNullable(applied);
  }

  private static String appliedIndexes(List<ServerNode> nodes) {
    List<String> parts = new ArrayList<>();
    for (ServerNode node : nodes) {
      parts.add(
          node.name()
              + "="
              + node.status(ClusterHealth.PROBE_TIMEOUT)
                  .map(s -> Long.toString(s.appliedIndex()))
                  .orElse("no answer"));
    }
    return String.join(" ", parts);
  }

  /** {@code revision/hash}, or {@code ?reason}. */
  private static String hashOf(RaftkvClient client, ServerNode node) {
    try {
      HashKVResponse response =
          client.maintenance().hashKv(node.clientUrl(), 0).get(10, TimeUnit.SECONDS);
      // etcd's hash is a uint32; protobuf hands it over as a signed int.
      return "rev "
          + response.getHeader().getRevision()
          + " hash "
          + Integer.toUnsignedString(response.getHash());
    } catch (ExecutionException | TimeoutException e) {
      return "?" + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "?interrupted";
    }
  }
}
