package io.raftkv.storage;

import static io.raftkv.storage.Fixtures.DIR;
import static io.raftkv.storage.Fixtures.entries;
import static io.raftkv.storage.Fixtures.options;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftkv.raft.Configuration;
import io.raftkv.raft.Entry;
import io.raftkv.raft.HardState;
import io.raftkv.raft.NodeId;
import io.raftkv.raft.Snapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random sequences of append, suffix overwrite, hard state, compaction, snapshot install,
 * staged-but-unsynced writes, crash and reopen agree with {@link LogModel}. jqwik prints the seed
 * and the shrunk sequence of a failure; {@code -Djqwik.seeds.whenfixed} replays it.
 */
class LogModelProperties {
  sealed interface Op {}

  record Append(int count, boolean newTerm) implements Op {}

  record Overwrite(int back, int count) implements Op {}

  record Vote(int node) implements Op {}

  record Compact(int back) implements Op {}

  record Install(int offset, boolean agree) implements Op {}

  record StageUnsynced(int count) implements Op {}

  record Crash() implements Op {}

  record Reopen() implements Op {}

  @Provide
  Arbitrary<List<Op>> ops() {
    Arbitrary<Op> op =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(
                6,
                Combinators.combine(
                        Arbitraries.integers().between(1, 12), Arbitraries.of(true, false))
                    .as(Append::new)),
            net.jqwik.api.Tuple.of(
                2,
                Combinators.combine(
                        Arbitraries.integers().between(1, 8), Arbitraries.integers().between(1, 4))
                    .as(Overwrite::new)),
            net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(0, 3).map(Vote::new)),
            net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(0, 10).map(Compact::new)),
            net.jqwik.api.Tuple.of(
                1,
                Combinators.combine(
                        Arbitraries.integers().between(-5, 5), Arbitraries.of(true, false))
                    .as(Install::new)),
            net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(1, 6).map(StageUnsynced::new)),
            net.jqwik.api.Tuple.of(2, Arbitraries.just(new Crash())),
            net.jqwik.api.Tuple.of(1, Arbitraries.just(new Reopen())));
    return op.list().ofMinSize(1).ofMaxSize(60);
  }

  @Property(tries = 300)
  void storageAgreesWithTheModel(@ForAll("ops") List<Op> ops, @ForAll long diskSeed) {
    FaultyFileSystem fs = new FaultyFileSystem(diskSeed);
    LogModel model = new LogModel();
    RaftStorage storage = RaftStorage.open(fs, DIR, options(1024));
    List<LogModel.Observed> inFlight = new ArrayList<>();
    try {
      for (Op op : ops) {
        if (op instanceof Crash || op instanceof Reopen) {
          storage.close();
          List<LogModel.Observed> acceptable = new ArrayList<>(List.of(model.observed()));
          if (op instanceof Crash) {
            fs.crash();
            acceptable.addAll(inFlight);
          }
          storage = RaftStorage.open(fs, DIR, options(1024));
          LogModel.Observed found = LogModel.observed(storage.recovered());
          assertThat(acceptable).as("after %s", op).contains(found);
          model = modelOf(found);
          inFlight.clear();
        } else if (op instanceof StageUnsynced s) {
          if (inFlight.isEmpty()) {
            stageUnsynced(storage, model, s.count(), inFlight);
          }
        } else if (inFlight.isEmpty()) {
          apply(op, storage, model);
        }
      }
    } finally {
      storage.close();
    }
  }

  /** Stages entries without syncing: a crash may keep any prefix of them. */
  private static void stageUnsynced(
      RaftStorage storage, LogModel model, int count, List<LogModel.Observed> inFlight) {
    List<Entry> batch =
        entries(Math.max(1, model.lastTerm()), model.lastIndex() + 1, model.lastIndex() + count);
    storage.stage(PersistBatch.entries(batch));
    LogModel partial = model.copy();
    for (Entry entry : batch) {
      partial.append(entry);
      inFlight.add(partial.observed());
    }
  }

  private static void apply(Op op, RaftStorage storage, LogModel model) {
    long term = Math.max(1, model.lastTerm());
    switch (op) {
      case Append a ->
          persist(
              storage,
              model,
              entries(
                  a.newTerm() ? term + 1 : term,
                  model.lastIndex() + 1,
                  model.lastIndex() + a.count()));
      case Overwrite o -> {
        long from = Math.max(model.snapshotIndex() + 1, model.lastIndex() - o.back() + 1);
        persist(storage, model, entries(term + 1, from, from + o.count() - 1));
      }
      case Vote v -> {
        HardState state =
            new HardState(
                Math.max(model.hardState().currentTerm(), term),
                NodeId.of(v.node()),
                Math.min(model.lastIndex(), model.hardState().commitIndex() + 3));
        storage.persist(PersistBatch.hardState(state));
        model.hardState(state);
      }
      case Compact c -> {
        long index = model.lastIndex() - c.back();
        if (index > model.snapshotIndex() && model.termAt(index) > 0) {
          storage.compact(
              new Snapshot(
                  index, model.termAt(index), Configuration.ofIds(1), new byte[] {(byte) index}));
          model.installSnapshot(index, model.termAt(index));
        }
      }
      case Install i -> install(storage, model, i);
      default -> throw new IllegalStateException("not a write: " + op);
    }
  }

  private static void install(RaftStorage storage, LogModel model, Install op) {
    long index = model.lastIndex() + op.offset();
    if (index <= model.snapshotIndex()) {
      return;
    }
    long known = model.termAt(index);
    long term = op.agree() && known > 0 ? known : Math.max(1, model.lastTerm()) + 1;
    Snapshot snapshot = new Snapshot(index, term, Configuration.ofIds(1, 2), new byte[7]);
    storage.persist(new PersistBatch(Optional.of(snapshot), List.of(), Optional.empty()));
    model.installSnapshot(index, term);
  }

  private static void persist(RaftStorage storage, LogModel model, List<Entry> batch) {
    storage.persist(PersistBatch.entries(batch));
    batch.forEach(model::append);
  }

  private static LogModel modelOf(LogModel.Observed found) {
    LogModel model = new LogModel();
    if (found.snapshotIndex() > 0) {
      model.installSnapshot(found.snapshotIndex(), found.snapshotTerm());
    }
    found.entries().forEach(model::append);
    model.hardState(found.hardState());
    return model;
  }
}
