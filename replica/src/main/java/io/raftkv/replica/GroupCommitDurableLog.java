package io.raftkv.replica;

import io.raftkv.raft.DurableState;
import io.raftkv.raft.Snapshot;
import io.raftkv.storage.DiskFullException;
import io.raftkv.storage.FatalDiskHandler;
import io.raftkv.storage.GroupCommitLog;
import io.raftkv.storage.OverloadedException;
import io.raftkv.storage.PersistBatch;
import io.raftkv.storage.RaftStorage;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Production durability: batches go to storage's WAL thread, which group-commits them; each
 * completion hops back onto the replica's event loop. Every outcome is explicit:
 *
 * <ul>
 *   <li>durable: {@code onDurable} runs on the loop;
 *   <li>the disk is full ({@link DiskFullException}): nothing of the request is durable; {@link
 *       Outcomes#diskFull} is told (the server raises etcd's NOSPACE alarm and refuses new writes)
 *       and the same request is retried with a capped backoff until space is freed, since the core
 *       has handed the batch out and cannot take it back;
 *   <li>the WAL queue is full ({@link OverloadedException}): retried the same way;
 *   <li>anything else (a failed fsync, a batch that breaks the log's rules): {@link
 *       Outcomes#fatal}, which stops the process; {@code onDurable} never runs.
 * </ul>
 */
public final class GroupCommitDurableLog implements DurableLog {
  private static final Logger LOG = LoggerFactory.getLogger(GroupCommitDurableLog.class);
  private static final Duration RETRY_FIRST = Duration.ofMillis(50);
  private static final Duration RETRY_MAX = Duration.ofSeconds(2);

  /** What the node does when a request is not durable. Called on the WAL's completion thread. */
  public interface Outcomes {
    /** The disk refused a request for want of space; it will be retried. */
    void diskFull(DiskFullException e);

    /** The disk failed (or a request was refused as a bug): the node must stop, now. */
    void fatal(Throwable e);

    /** Logs and halts with storage's exit status; a full disk is only logged. */
    Outcomes HALT =
        new Outcomes() {
          @Override
          public void diskFull(DiskFullException e) {
            LOG.warn("disk full, retrying: {}", e.getMessage());
          }

          @Override
          public void fatal(Throwable e) {
            LOG.error("durable log failed, stopping the node: {}", e.getMessage(), e);
            Runtime.getRuntime().halt(FatalDiskHandler.EXIT_CODE);
          }
        };
  }

  private final RaftStorage storage;
  private final GroupCommitLog groupCommit;
  private final EventLoop loop;
  private final DurableState recovered;
  private final Outcomes outcomes;

  public GroupCommitDurableLog(RaftStorage storage, GroupCommitLog groupCommit, EventLoop loop) {
    this(storage, groupCommit, loop, Outcomes.HALT);
  }

  public GroupCommitDurableLog(
      RaftStorage storage, GroupCommitLog groupCommit, EventLoop loop, Outcomes outcomes) {
    this.storage = storage;
    this.groupCommit = groupCommit;
    this.loop = loop;
    this.recovered = storage.recovered();
    this.outcomes = outcomes;
  }

  @Override
  public DurableState recovered() {
    return recovered;
  }

  @Override
  public void persist(PersistBatch batch, Runnable onDurable) {
    submit(() -> groupCommit.submit(batch), onDurable, RETRY_FIRST);
  }

  @Override
  public void saveSnapshot(Snapshot snapshot, Runnable onDurable) {
    submit(() -> groupCommit.compact(snapshot), onDurable, RETRY_FIRST);
  }

  /**
   * Submits a request and routes its outcome. A retry is submitted from the loop, after the
   * backoff, so that it stays behind nothing the replica submitted later: the replica has one batch
   * and one snapshot in flight at most, and waits for each.
   */
  // The stage whenComplete returns is not needed: every outcome is routed inside it.
  @SuppressWarnings("FutureReturnValueIgnored")
  private void submit(
      Supplier<CompletableFuture<Void>> request, Runnable onDurable, Duration backoff) {
    request
        .get()
        .whenComplete(
            (ok, failure) -> {
              Throwable cause = unwrap(failure);
              if (cause == null) {
                loop.execute(onDurable);
              } else if (cause instanceof DiskFullException
                  || cause instanceof OverloadedException) {
                if (cause instanceof DiskFullException full) {
                  outcomes.diskFull(full);
                }
                Duration next =
                    backoff.multipliedBy(2).compareTo(RETRY_MAX) > 0
                        ? RETRY_MAX
                        : backoff.multipliedBy(2);
                loop.schedule(backoff, () -> submit(request, onDurable, next));
              } else {
                outcomes.fatal(cause);
              }
            });
  }

  private static Throwable unwrap(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause()
        : failure;
  }

  /** The storage underneath, for status pages (segment counts, sync counts). */
  public RaftStorage storage() {
    return storage;
  }
}
