package io.raftkv.storage;

import static io.raftkv.storage.Fixtures.DIR;
import static io.raftkv.storage.Fixtures.entries;
import static io.raftkv.storage.Fixtures.entry;
import static io.raftkv.storage.Fixtures.hard;
import static io.raftkv.storage.Fixtures.options;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftkv.raft.Configuration;
import io.raftkv.raft.Entry;
import io.raftkv.raft.HardState;
import io.raftkv.raft.Snapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * A scripted write sequence (appends, a suffix overwrite, votes, segment rolls, compactions, a
 * snapshot install) with the power cut before each of its disk operations in turn, for several
 * seeds of torn writes. After each crash the node must read back what was acknowledged, plus at
 * most a prefix of the one batch in flight: nothing acknowledged lost, nothing truncated back.
 */
class CrashPointTest {
  private static final long SEGMENT_BYTES = 1024;
  private static final int SEEDS = 6;

  /** One step: what storage is asked to do, and the same as record-sized model effects. */
  private record Step(
      String name, Consumer<RaftStorage> action, List<Consumer<LogModel>> effects) {}

  private static Step persist(List<Entry> entries, HardState hardState) {
    // Record order within a batch (Wal.stage): a new term or vote with the old commit index,
    // the entries, then the whole new hard state.
    List<Consumer<LogModel>> effects = new ArrayList<>();
    if (hardState != null) {
      effects.add(
          m -> {
            HardState old = m.hardState();
            if (old.currentTerm() != hardState.currentTerm()
                || !old.votedFor().equals(hardState.votedFor())) {
              m.hardState(
                  new HardState(hardState.currentTerm(), hardState.votedFor(), old.commitIndex()));
            }
          });
    }
    for (Entry e : entries) {
      effects.add(m -> m.append(e));
    }
    if (hardState != null) {
      effects.add(m -> m.hardState(hardState));
    }
    return new Step(
        "persist " + entries.size() + " from " + (entries.isEmpty() ? "-" : entries.get(0).index()),
        s -> s.persist(new PersistBatch(Optional.empty(), entries, Optional.ofNullable(hardState))),
        effects);
  }

  private static Step compact(long index, long term) {
    Snapshot snapshot =
        new Snapshot(index, term, Configuration.ofIds(1, 2, 3), new byte[] {(byte) index});
    return new Step(
        "compact " + index, s -> s.compact(snapshot), List.of(m -> m.installSnapshot(index, term)));
  }

  private static Step install(long index, long term, HardState hardState) {
    Snapshot snapshot = new Snapshot(index, term, Configuration.ofIds(1, 2, 3), new byte[3]);
    return new Step(
        "install " + index,
        s -> s.persist(new PersistBatch(Optional.of(snapshot), List.of(), Optional.of(hardState))),
        List.of(m -> m.installSnapshot(index, term), m -> m.hardState(hardState)));
  }

  private static List<Step> bulk(long term, long fromIndex, long toIndex, int perBatch) {
    List<Step> steps = new ArrayList<>();
    for (long i = fromIndex; i <= toIndex; i += perBatch) {
      steps.add(persist(entries(term, i, Math.min(toIndex, i + perBatch - 1)), null));
    }
    return steps;
  }

  private static List<Step> script() {
    List<Step> steps =
        new ArrayList<>(
            List.of(
                persist(entries(1, 1, 5), hard(1, 1, 0)),
                persist(entries(1, 6, 10), hard(1, 1, 5)),
                persist(List.of(), hard(2, 2, 5)),
                persist(entries(2, 8, 9), hard(2, 2, 7))));
    steps.addAll(bulk(2, 10, 60, 5)); // rolls segments with nothing else going on
    steps.add(compact(25, 2));
    steps.addAll(bulk(2, 61, 90, 6));
    steps.add(install(100, 3, hard(3, 0, 100)));
    steps.add(persist(entries(3, 101, 105), hard(3, 0, 103))); // 104 is overwritten below
    steps.add(compact(103, 3));
    steps.add(persist(List.of(entry(4, 104)), hard(4, 1, 103)));
    steps.addAll(bulk(4, 105, 140, 7));
    // A follower's batch that overwrites an uncommitted entry and learns a commit index
    // covering it (simulator, seed 1 with a 25% drift bound).
    steps.add(persist(List.of(entry(5, 139), entry(5, 140)), hard(5, 2, 140)));
    return steps;
  }

  @Test
  void nothingAcknowledgedIsLostAndNothingTruncatedComesBack() {
    int crashPoints = 0;
    for (long seed = 0; seed < SEEDS; seed++) {
      for (long point = 0; ; point++) {
        if (!crashAt(seed, point)) {
          break;
        }
        crashPoints++;
      }
    }
    assertThat(crashPoints).as("the script has crash points").isGreaterThan(100 * SEEDS);
  }

  /** Runs the script with the power cut at {@code point}; false when it ran to the end. */
  private boolean crashAt(long seed, long point) {
    FaultyFileSystem fs = new FaultyFileSystem(seed);
    fs.powerLossAfterOperations(point);
    LogModel acked = new LogModel();
    List<LogModel.Observed> acceptable = new ArrayList<>(List.of(acked.observed()));
    String inFlight = "open";
    LogModel intended = acked;
    try (RaftStorage storage = RaftStorage.open(fs, DIR, options(SEGMENT_BYTES))) {
      for (Step step : script()) {
        inFlight = step.name();
        acceptable = new ArrayList<>(List.of(acked.observed()));
        LogModel partial = acked.copy();
        for (Consumer<LogModel> effect : step.effects()) {
          effect.accept(partial);
          acceptable.add(partial.observed());
        }
        intended = partial;
        step.action().accept(storage);
        step.effects().forEach(effect -> effect.accept(acked));
        acceptable = List.of(acked.observed());
      }
      return false;
    } catch (FaultyFileSystem.PowerLoss expected) {
      fs.crash();
    }
    String context = "seed " + seed + ", power lost at operation " + point + " during " + inFlight;
    try (RaftStorage reopened = RaftStorage.open(fs, DIR, options(SEGMENT_BYTES))) {
      LogModel.Observed found = LogModel.observed(reopened.recovered());
      assertThat(acceptable).as(context).contains(found);
      // A torn batch keeps a prefix: its entries never outrun the hard state's term, or the
      // core could not restart from it (simulator, seed 18).
      io.raftkv.raft.DurableState recovered = reopened.recovered();
      if (!recovered.entries().isEmpty()) {
        assertThat(recovered.entries().get(recovered.entries().size() - 1).term())
            .as(context + ": last entry's term vs recovered term")
            .isLessThanOrEqualTo(recovered.hardState().currentTerm());
      }
      // Nor a commit index over entries it lost: what counts as committed after the restart
      // is what the interrupted step meant to write there.
      java.util.Map<Long, Entry> meant = new java.util.HashMap<>();
      intended.observed().entries().forEach(e -> meant.put(e.index(), e));
      for (Entry kept : recovered.entries()) {
        // (an index the step compacts away was committed before it)
        if (kept.index() <= recovered.hardState().commitIndex()
            && meant.containsKey(kept.index())) {
          assertThat(kept)
              .as(context + ": committed entry %d", kept.index())
              .isEqualTo(meant.get(kept.index()));
        }
      }
      // The repaired log must take new writes and keep them.
      long next =
          found.entries().isEmpty()
              ? found.snapshotIndex() + 1
              : found.entries().get(found.entries().size() - 1).index() + 1;
      reopened.persist(PersistBatch.entries(List.of(entry(9, next))));
    }
    try (RaftStorage again = RaftStorage.open(fs, DIR, options(SEGMENT_BYTES))) {
      List<Entry> entries = again.recovered().entries();
      assertThat(entries.get(entries.size() - 1).term()).as(context).isEqualTo(9);
    }
    return true;
  }
}
