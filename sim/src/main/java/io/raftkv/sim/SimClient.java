package io.raftkv.sim;

import io.raftkv.kv.Bytes;
import io.raftkv.kv.Command;
import io.raftkv.kv.Compare;
import io.raftkv.kv.ErrorResponse;
import io.raftkv.kv.KvException;
import io.raftkv.kv.PutRequest;
import io.raftkv.kv.PutResponse;
import io.raftkv.kv.RangeRequest;
import io.raftkv.kv.RangeResponse;
import io.raftkv.kv.Request;
import io.raftkv.kv.SessionOpenRequest;
import io.raftkv.kv.SessionOpenResponse;
import io.raftkv.kv.TxnRequest;
import io.raftkv.kv.TxnResponse;
import io.raftkv.replica.Consistency;
import io.raftkv.replica.Replica;
import io.raftkv.replica.ReplicaException;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;

/**
 * A workload client, as a real one behaves: it opens a session, sends each operation to the node it
 * believes leads, follows NOT_LEADER hints, waits a little and tries another node on NO_LEADER or
 * silence, and retries a write with the SAME session sequence until it has an answer, so the
 * session makes the retry exactly-once. Each operation goes to the history: {@code ok}, {@code
 * fail} only when it certainly did not take effect, else {@code info}, after which the client
 * carries on under a new process number (docs/history-format.md).
 */
final class SimClient {
  private static final long MS = 1_000_000;
  private static final long ATTEMPT_TIMEOUT_NANOS = 400 * MS;

  enum Kind {
    SESSION,
    READ,
    WRITE,
    CAS
  }

  /** One operation in flight: its history fields, its command and what is known of it. */
  private static final class Op {
    Kind kind;
    String key;
    long value;
    Long from;
    Command command;
    long deadlineNanos;

    /** Some attempt may have reached a leader: a give-up is {@code info}, not {@code fail}. */
    boolean maybeApplied;

    String lastError = "";
  }

  private final String name;
  private final Scheduler scheduler;
  private final SplittableRandom random;
  private final IntFunction<SimNode> nodes;
  private final int nodeCount;
  private final Workload workload;
  private final HistoryRecorder history;
  private final long opTimeoutNanos;
  private int process;
  private long sessionId;
  private long sequence;
  private int target;
  private long attempt;
  private Op current;
  private Runnable onFinished;
  private boolean probe;
  private boolean probeStarted;
  private boolean probeSucceeded;
  private boolean readsOnly;

  SimClient(
      String name,
      Scheduler scheduler,
      SplittableRandom random,
      IntFunction<SimNode> nodes,
      int nodeCount,
      Workload workload,
      HistoryRecorder history,
      long opTimeoutNanos) {
    this.name = name;
    this.scheduler = scheduler;
    this.random = random;
    this.nodes = nodes;
    this.nodeCount = nodeCount;
    this.workload = workload;
    this.history = history;
    this.opTimeoutNanos = opTimeoutNanos;
    this.process = history.newProcess();
    this.target = 1 + random.nextInt(nodeCount);
  }

  /** Runs operations while the workload has some left, then calls {@code whenDone}. */
  void run(Runnable whenDone) {
    this.onFinished = whenDone;
    next();
  }

  /**
   * Runs exactly one write (the liveness probe; opening a session first if need be), then calls
   * {@code whenDone}; {@link #probeSucceeded()} tells whether it was acknowledged.
   */
  void runOneWrite(Runnable whenDone) {
    this.onFinished = whenDone;
    this.probe = true;
    next();
  }

  /** This client only reads, each read at a node drawn afresh (SimParameters' readers). */
  SimClient readingOnly() {
    readsOnly = true;
    return this;
  }

  boolean probeSucceeded() {
    return probeSucceeded;
  }

  private void next() {
    if (sessionId == 0) {
      begin(newOp(Kind.SESSION));
    } else if (probe ? !probeStarted : workload.claimOp()) {
      probeStarted = probe;
      int draw = readsOnly ? 0 : random.nextInt(10);
      begin(newOp(probe ? Kind.WRITE : draw < 4 ? Kind.READ : draw < 8 ? Kind.WRITE : Kind.CAS));
    } else {
      Runnable done = onFinished;
      onFinished = null;
      done.run();
    }
  }

  private Op newOp(Kind kind) {
    Op op = new Op();
    int keyIndex = random.nextInt(workload.keyCount());
    op.key = Workload.key(keyIndex);
    op.from = workload.lastWritten(keyIndex);
    op.kind = kind == Kind.CAS && op.from == null ? Kind.WRITE : kind;
    op.deadlineNanos = scheduler.nowNanos() + opTimeoutNanos;
    Request request =
        switch (op.kind) {
          case SESSION -> new SessionOpenRequest();
          case READ -> null;
          case WRITE -> {
            op.value = workload.nextValue(keyIndex);
            yield PutRequest.of(Bytes.utf8(op.key), bytes(op.value));
          }
          case CAS -> cas(op, keyIndex);
        };
    if (request != null) {
      op.command =
          op.kind == Kind.SESSION
              ? Command.of(request)
              : new Command(sessionId, ++sequence, request);
    }
    return op;
  }

  private TxnRequest cas(Op op, int keyIndex) {
    op.value = workload.nextValue(keyIndex);
    Bytes key = Bytes.utf8(op.key);
    return new TxnRequest(
        List.of(Compare.value(key, Compare.Result.EQUAL, bytes(op.from))),
        List.of(PutRequest.of(key, bytes(op.value))),
        List.of());
  }

  private static Bytes bytes(long value) {
    return Bytes.utf8(Long.toString(value));
  }

  private void begin(Op op) {
    current = op;
    switch (op.kind) {
      case SESSION -> {}
      case READ -> {
        // As etcd's clients balance over endpoints: a third of the reads go to any node,
        // which is what finds a deposed leader that still serves.
        if (readsOnly || random.nextInt(3) == 0) {
          target = 1 + random.nextInt(nodeCount);
        }
        history.invoke(process, "read", op.key, null);
      }
      case WRITE -> history.invoke(process, "write", op.key, Long.toString(op.value));
      case CAS -> history.invoke(process, "cas", op.key, "[" + op.from + "," + op.value + "]");
    }
    send();
  }

  @SuppressWarnings("FutureReturnValueIgnored") // the reply is handled in whenComplete
  private void send() {
    Op op = current;
    if (scheduler.nowNanos() >= op.deadlineNanos) {
      giveUp(op);
      return;
    }
    long id = ++attempt;
    SimNode node = nodes.apply(target);
    Replica replica = node.replica();
    if (replica == null) {
      // Connection refused: the request never left, so this attempt certainly did nothing.
      op.lastError = node.id() + " is down";
      retryElsewhere(true);
      return;
    }
    CompletableFuture<?> future =
        op.kind == Kind.READ
            ? replica.read(RangeRequest.of(Bytes.utf8(op.key)), Consistency.LINEARIZABLE)
            : replica.write(op.command);
    future.whenComplete(
        (response, error) ->
            scheduler.after(0, name + " reply", () -> onReply(id, response, error)));
    scheduler.after(
        ATTEMPT_TIMEOUT_NANOS,
        name + " attempt timeout",
        () -> {
          if (id == attempt) {
            op.maybeApplied |= op.kind != Kind.READ;
            op.lastError = "timeout at " + node.id();
            retryElsewhere(true);
          }
        });
  }

  /** Tries another node after a short wait (a fresh election takes a few hundred ms). */
  private void retryElsewhere(boolean otherNode) {
    attempt++;
    if (otherNode) {
      int shift = nodeCount == 1 ? 0 : 1 + random.nextInt(nodeCount - 1);
      target = 1 + (target - 1 + shift) % nodeCount;
    }
    scheduler.after(random.nextLong(10 * MS, 60 * MS), name + " retry", this::send);
  }

  private void onReply(long id, Object response, Throwable error) {
    if (id != attempt) {
      return;
    }
    attempt++;
    Op op = current;
    Throwable cause =
        error instanceof java.util.concurrent.CompletionException ? error.getCause() : error;
    if (cause == null) {
      complete(op, response);
    } else if (cause instanceof ReplicaException e) {
      op.lastError = e.kind().name();
      op.maybeApplied |= !e.definite() && op.kind != Kind.READ;
      if (e.kind() == ReplicaException.Kind.NOT_LEADER && !e.leaderHint().isNone()) {
        target = e.leaderHint().value();
        scheduler.after(MS / 10, name + " redirect", this::send);
      } else {
        retryElsewhere(true);
      }
    } else if (cause instanceof KvException e) {
      finish(op, "fail", e.code().name());
    } else {
      throw new IllegalStateException(name + ": unexpected failure " + cause, cause);
    }
  }

  private void complete(Op op, Object response) {
    switch (response) {
      case SessionOpenResponse opened -> {
        sessionId = opened.clientId();
        sequence = 0;
        finish(op, null, null);
      }
      case RangeResponse range ->
          finish(
              op, "ok", range.kvs().isEmpty() ? "null" : range.kvs().get(0).value().toStringUtf8());
      case TxnResponse txn when txn.succeeded() -> {
        workload.acknowledged(op.key, op.value, txn.revision());
        finish(op, "ok", null);
      }
      case TxnResponse txn -> finish(op, "fail", null);
      case ErrorResponse e -> {
        // SESSION_EXPIRED: the session was evicted, so whether an earlier attempt applied is
        // unknown; the client needs a new session either way.
        op.lastError = e.code().name();
        op.maybeApplied = true;
        sessionId = 0;
        giveUp(op);
      }
      case PutResponse put -> {
        workload.acknowledged(op.key, op.value, put.revision());
        finish(op, "ok", null);
      }
      default -> throw new IllegalStateException(name + ": unexpected response " + response);
    }
  }

  private void giveUp(Op op) {
    if (op.kind == Kind.SESSION) {
      finish(op, null, null);
    } else if (op.maybeApplied) {
      finish(op, "info", op.lastError);
    } else {
      // Reads have no effect, and a write no node ever took did none: both certainly failed.
      finish(op, "fail", op.lastError.isEmpty() ? "gave up" : op.lastError);
    }
  }

  private void finish(Op op, String type, String detail) {
    String f =
        switch (op.kind) {
          case SESSION -> null;
          case READ -> "read";
          case WRITE -> "write";
          case CAS -> "cas";
        };
    String value =
        op.kind == Kind.CAS ? "[" + op.from + "," + op.value + "]" : Long.toString(op.value);
    if (f != null) {
      probeSucceeded |= probe && "ok".equals(type);
      switch (type) {
        case "ok" -> history.ok(process, f, op.key, op.kind == Kind.READ ? detail : value);
        case "fail" -> history.fail(process, f, op.key, value, detail);
        default -> {
          history.info(process, f, op.key, value, detail);
          process = history.newProcess();
        }
      }
    }
    current = null;
    scheduler.after(random.nextLong(0, 10 * MS), name + " think", this::next);
  }
}
