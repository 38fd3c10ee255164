package io.raftkv.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkv.kv.Bytes;
import io.raftkv.kv.Event;
import io.raftkv.kv.KeyValue;
import io.raftkv.raft.NodeId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The watch check's oracle on small hand-made streams: what must pass and what must not. */
class WatchCheckerTest {
  private static final NodeId N1 = NodeId.of(1);
  private static final NodeId N2 = NodeId.of(2);

  /** The log: k0 written at revisions 2..9, value "v" + revision. */
  private static final List<Event> LOG = log(2, 9);

  private static List<Event> log(long from, long through) {
    List<Event> events = new ArrayList<>();
    for (long revision = from; revision <= through; revision++) {
      events.add(put(revision, "v" + revision));
    }
    return events;
  }

  private static Event put(long revision, String value) {
    return new Event(
        Event.Type.PUT,
        new KeyValue(Bytes.utf8("k0"), 2, revision, revision - 1, Bytes.utf8(value), 0),
        Optional.empty());
  }

  /** Received events of the given revisions, the first {@code onN1} from n1, the rest n2. */
  private static List<SimWatcher.Received> received(int onN1, long... revisions) {
    List<SimWatcher.Received> received = new ArrayList<>();
    for (int i = 0; i < revisions.length; i++) {
      received.add(
          new SimWatcher.Received(put(revisions[i], "v" + revisions[i]), i < onN1 ? N1 : N2));
    }
    return received;
  }

  private static String check(
      long start, List<SimWatcher.Received> received, SimWatcher.Compacted... compacted) {
    return WatchChecker.compare(start, received, List.of(compacted), LOG);
  }

  @Test
  void aWholeStreamAcrossTwoNodesPasses_andLagIsNoError() {
    assertThat(check(3, received(2, 3, 4, 5, 6))).isNull();
    assertThat(check(0, received(1, 7, 8))).isNull();
    assertThat(check(5, received(0))).isNull();
  }

  @Test
  void aSkippedRevisionIsNamedWithTheNodeThatSkippedIt() {
    assertThat(check(3, received(2, 3, 4, 6)))
        .contains("n2 delivered PUT k0=v6 at revision 6")
        .contains("skipped revision 5");
  }

  @Test
  void revisionsBeforeTheFirstEventAreSkippedToo_unlessItStartedFromTheNextWrite() {
    assertThat(check(2, received(1, 4, 5))).contains("skipped revision 2");
    assertThat(check(0, received(1, 4, 5))).isNull();
  }

  @Test
  void aRepeatedRevisionIsNamed() {
    assertThat(check(3, received(2, 3, 4, 4, 5)))
        .contains("n2 delivered PUT k0=v4 at revision 4")
        .contains("again or out of order after revision 4");
  }

  @Test
  void aWrongValueIsNamedWithWhatTheLogHas() {
    List<SimWatcher.Received> wrong = new ArrayList<>(received(2, 3, 4));
    wrong.add(new SimWatcher.Received(put(5, "forged"), N2));
    assertThat(check(3, wrong))
        .contains("k0=forged at revision 5")
        .contains("where the committed log has PUT k0=v5");
  }

  @Test
  void aRevisionBeyondTheLogIsNamed() {
    assertThat(check(8, received(2, 8, 9, 10))).contains("beyond every committed event");
  }

  @Test
  void onlyTheStretchACompactionEndExcusedMayBeMissing() {
    SimWatcher.Compacted gap = new SimWatcher.Compacted(4, 7, N1);
    assertThat(check(3, received(1, 3, 7, 8), gap)).isNull();
    assertThat(check(3, received(1, 3, 8), gap)).contains("skipped revision 7");
  }
}
