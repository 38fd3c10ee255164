package io.raftkv.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** What the members of a local cluster say about themselves, and waiting until they agree. */
public final class ClusterHealth {
  /** How long one member gets to answer Maintenance.Status (a fresh JVM and a busy machine). */
  public static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);

  private static final Duration POLL_INTERVAL = Duration.ofMillis(100);

  private ClusterHealth() {}

  /** One member: whether its process runs, and its status when it answered. */
  public record MemberView(ServerNode node, boolean running, Optional<NodeStatus> status) {}

  /** Asks every node at once (each within {@link #PROBE_TIMEOUT}). */
  public static List<MemberView> probe(List<ServerNode> nodes) throws InterruptedException {
    try (ExecutorService probes = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<MemberView>> answers = new ArrayList<>();
      for (ServerNode node : nodes) {
        Callable<MemberView> probe =
            () ->
                node.alive()
                    ? new MemberView(node, true, node.status(PROBE_TIMEOUT))
                    : new MemberView(node, false, Optional.empty());
        answers.add(probes.submit(probe));
      }
      List<MemberView> views = new ArrayList<>();
      for (Future<MemberView> answer : answers) {
        views.add(answer.get());
      }
      return views;
    } catch (ExecutionException e) {
      throw new IllegalStateException("status probe failed", e.getCause());
    }
  }

  /** The name of the member with {@code memberId} among {@code views}, or its id in hex. */
  public static String nameOf(long memberId, List<MemberView> views) {
    if (memberId == 0) {
      return "none";
    }
    return views.stream()
        .filter(v -> v.status().map(s -> s.memberId() == memberId).orElse(false))
        .map(v -> v.node().name())
        .findFirst()
        .orElse(Long.toHexString(memberId));
  }

  /**
   * Waits until every node of {@code group} answers and names the same leader, one of them, and
   * returns it. A member whose process exits meanwhile ends the wait at once, with its log.
   */
  public static ServerNode awaitLeader(List<ServerNode> group, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<MemberView> views = List.of();
    while (System.nanoTime() < deadline) {
      views = probe(group);
      for (MemberView view : views) {
        if (!view.running()) {
          throw new ClusterException(exited(view.node()));
        }
      }
      Optional<ServerNode> leader = agreedLeader(views);
      if (leader.isPresent()) {
        return leader.get();
      }
      Thread.sleep(POLL_INTERVAL.toMillis());
    }
    throw new ClusterException(
        "no single leader among "
            + String.join(", ", group.stream().map(ServerNode::name).toList())
            + " after "
            + timeout.toSeconds()
            + " s: "
            + describe(views));
  }

  private static Optional<ServerNode> agreedLeader(List<MemberView> views) {
    if (views.isEmpty() || views.stream().anyMatch(v -> v.status().isEmpty())) {
      return Optional.empty();
    }
    long leaderId = views.get(0).status().orElseThrow().leaderId();
    if (leaderId == 0
        || views.stream().anyMatch(v -> v.status().orElseThrow().leaderId() != leaderId)) {
      return Optional.empty();
    }
    return views.stream()
        .filter(v -> v.status().orElseThrow().memberId() == leaderId)
        .map(MemberView::node)
        .findFirst();
  }

  private static String exited(ServerNode node) {
    String status = node.exitStatus().map(s -> " with status " + s).orElse("");
    return String.format(
        "%s (pid %d) exited%s; the end of %s:%n%s",
        node.name(), node.pid(), status, node.logFile(), node.logTail(15));
  }

  private static String describe(List<MemberView> views) {
    List<String> parts = new ArrayList<>();
    for (MemberView view : views) {
      parts.add(
          view.node().name()
              + view.status()
                  .map(s -> " leader=" + nameOf(s.leaderId(), views) + " term=" + s.term())
                  .orElse(" no answer"));
    }
    return String.join("; ", parts);
  }
}
