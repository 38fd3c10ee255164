package io.raftkv.sim;

import io.raftkv.raft.CoreBug;
import io.raftkv.replica.ReplicaBug;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One deliberate defect to inject, to show that the simulator's checks have teeth: the simulator's
 * own disk defect, or one of the core's ({@link CoreBug}) or the replica's ({@link ReplicaBug})
 * switches, which only {@code SimulatorDoor.startWithBugs} reaches. Off by default; no server
 * configuration can turn one on.
 *
 * @param name the command-line name, e.g. {@code vote-before-persist}
 * @param breaks what it breaks, one line
 * @param diskAcksBeforeFsync the simulated disk reports a batch durable before its fsync
 * @param coreBugs the core's switches to turn on
 * @param replicaBugs the replica's switches to turn on
 */
public record Bug(
    String name,
    String breaks,
    boolean diskAcksBeforeFsync,
    Set<CoreBug> coreBugs,
    Set<ReplicaBug> replicaBugs) {

  /** The real thing: nothing injected. */
  public static final Bug NONE =
      new Bug("none", "nothing: the real replica", false, Set.of(), Set.of());

  /**
   * The simulated disk acknowledges a batch as soon as it is handed over, before the fsync:
   * acknowledgements, votes and commits then rest on data a crash can lose (ARCHITECTURE.md
   * property 3 broken from outside the replica).
   */
  public static final Bug DISK_ACK_BEFORE_FSYNC =
      new Bug(
          "disk-ack-before-fsync",
          "the simulated disk acknowledges a batch before its fsync; a crash loses it",
          true,
          Set.of(),
          Set.of());

  /** Every switch, {@link #NONE} first, as {@code raftkv sim --bug list} prints them. */
  public static List<Bug> all() {
    List<Bug> all = new ArrayList<>(List.of(NONE, DISK_ACK_BEFORE_FSYNC));
    for (CoreBug bug : CoreBug.values()) {
      all.add(new Bug(cliName(bug.name()), "core: " + bug.breaks(), false, Set.of(bug), Set.of()));
    }
    for (ReplicaBug bug : ReplicaBug.values()) {
      all.add(
          new Bug(cliName(bug.name()), "replica: " + bug.breaks(), false, Set.of(), Set.of(bug)));
    }
    return all;
  }

  /** The switch called {@code name} (case and {@code -}/{@code _} insensitive). */
  public static Bug byName(String name) {
    String wanted = cliName(name);
    for (Bug bug : all()) {
      if (bug.name().equals(wanted)) {
        return bug;
      }
    }
    throw new IllegalArgumentException("unknown bug " + name + " (raftkv sim --bug list)");
  }

  private static String cliName(String name) {
    return name.toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public boolean isNone() {
    return !diskAcksBeforeFsync && coreBugs.isEmpty() && replicaBugs.isEmpty();
  }
}
