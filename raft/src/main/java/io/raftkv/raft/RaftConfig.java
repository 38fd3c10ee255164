package io.raftkv.raft;

/**
 * Tunables of one node. Time is counted in ticks: the caller decides how long a tick is.
 *
 * @param id this node
 * @param initialConfiguration the voters when the log holds no snapshot
 * @param electionTimeoutTicks the base election timeout; each term draws a random timeout in {@code
 *     [electionTimeoutTicks, 2 * electionTimeoutTicks)} (§5.2)
 * @param heartbeatTicks how often a leader asserts itself; well below the election timeout
 * @param preVote poll before campaigning (thesis §9.6)
 * @param checkQuorum a leader that hears from no majority for an election timeout steps down, and
 *     followers that heard from a leader within it ignore vote requests (thesis §6.2)
 * @param leaseReads serve reads inside a leader lease, without a heartbeat round; requires {@code
 *     checkQuorum}, and must be the same on every node (followers then also refuse votes for an
 *     election timeout after they start, since they forgot whom they last heard from)
 * @param clockDriftTicks how much sooner the lease ends than it could with perfect clocks
 *     (electionTimeout - 1 ticks after the heartbeat that renewed it was sent), to cover clocks
 *     that run at different rates
 * @param appendEntriesMax entries per AppendEntries message
 * @param appendBytesMax payload bytes per AppendEntries message (one larger entry still goes alone)
 * @param inflightAppendsMax AppendEntries messages in flight per follower while replicating
 * @param entryBytesMax the largest entry a proposal may carry
 * @param uncommittedBytesMax proposals are refused as overloaded beyond this much uncommitted data
 * @param readsPendingMax ReadIndex requests waiting at once
 * @param snapshotChunkBytes bytes per InstallSnapshot chunk
 * @param readyCommittedEntriesMax committed entries handed out per {@link Ready}
 */
public record RaftConfig(
    NodeId id,
    Configuration initialConfiguration,
    int electionTimeoutTicks,
    int heartbeatTicks,
    boolean preVote,
    boolean checkQuorum,
    boolean leaseReads,
    int clockDriftTicks,
    int appendEntriesMax,
    long appendBytesMax,
    int inflightAppendsMax,
    long entryBytesMax,
    long uncommittedBytesMax,
    int readsPendingMax,
    int snapshotChunkBytes,
    int readyCommittedEntriesMax) {
  /** The lease margin for drift unless configured; with 10-tick elections, clocks 12.5% off. */
  public static final int CLOCK_DRIFT_TICKS_DEFAULT = 2;

  public RaftConfig {
    require(id != null && !id.isNone(), "id must be a positive node id");
    require(initialConfiguration != null, "initialConfiguration is required");
    require(heartbeatTicks >= 1, "heartbeatTicks must be >= 1");
    require(
        electionTimeoutTicks > heartbeatTicks, "electionTimeoutTicks must exceed heartbeatTicks");
    require(
        !leaseReads || checkQuorum,
        "leaseReads requires checkQuorum: without it a deposed "
            + "leader cannot know it was deposed within its lease");
    require(
        clockDriftTicks >= 0 && clockDriftTicks < electionTimeoutTicks,
        "clockDriftTicks must be in [0, electionTimeoutTicks)");
    require(!leaseReads || clockDriftTicks >= 1, "leaseReads needs a clockDriftTicks bound >= 1");
    require(appendEntriesMax >= 1, "appendEntriesMax must be >= 1");
    require(appendBytesMax >= 1, "appendBytesMax must be >= 1");
    require(inflightAppendsMax >= 1, "inflightAppendsMax must be >= 1");
    require(entryBytesMax >= 1, "entryBytesMax must be >= 1");
    require(uncommittedBytesMax >= entryBytesMax, "uncommittedBytesMax must be >= entryBytesMax");
    require(readsPendingMax >= 1, "readsPendingMax must be >= 1");
    require(snapshotChunkBytes >= 1, "snapshotChunkBytes must be >= 1");
    require(readyCommittedEntriesMax >= 1, "readyCommittedEntriesMax must be >= 1");
  }

  /**
   * Sensible defaults: 10-tick election timeout, 1-tick heartbeat, pre-vote and check-quorum on.
   */
  public static Builder builder(NodeId id, Configuration voters) {
    return new Builder(id, voters);
  }

  public static RaftConfig defaults(NodeId id, Configuration voters) {
    return builder(id, voters).build();
  }

  public Builder toBuilder() {
    Builder b = new Builder(id, initialConfiguration);
    b.electionTimeoutTicks = electionTimeoutTicks;
    b.heartbeatTicks = heartbeatTicks;
    b.preVote = preVote;
    b.checkQuorum = checkQuorum;
    b.leaseReads = leaseReads;
    b.clockDriftTicks = clockDriftTicks;
    b.appendEntriesMax = appendEntriesMax;
    b.appendBytesMax = appendBytesMax;
    b.inflightAppendsMax = inflightAppendsMax;
    b.entryBytesMax = entryBytesMax;
    b.uncommittedBytesMax = uncommittedBytesMax;
    b.readsPendingMax = readsPendingMax;
    b.snapshotChunkBytes = snapshotChunkBytes;
    b.readyCommittedEntriesMax = readyCommittedEntriesMax;
    return b;
  }

  /** Fluent construction; {@link #build()} validates. */
  public static final class Builder {
    private NodeId id;
    private final Configuration initialConfiguration;
    private int electionTimeoutTicks = 10;
    private int heartbeatTicks = 1;
    private boolean preVote = true;
    private boolean checkQuorum = true;
    private boolean leaseReads = false;
    private int clockDriftTicks = CLOCK_DRIFT_TICKS_DEFAULT;
    private int appendEntriesMax = 1024;
    private long appendBytesMax = 1 << 20;
    private int inflightAppendsMax = 64;
    private long entryBytesMax = 1 << 20;
    private long uncommittedBytesMax = 64L << 20;
    private int readsPendingMax = 10_000;
    private int snapshotChunkBytes = 1 << 20;
    private int readyCommittedEntriesMax = 8192;

    private Builder(NodeId id, Configuration initialConfiguration) {
      this.id = id;
      this.initialConfiguration = initialConfiguration;
    }

    public Builder id(NodeId value) {
      id = value;
      return this;
    }

    public Builder electionTimeoutTicks(int ticks) {
      electionTimeoutTicks = ticks;
      return this;
    }

    public Builder heartbeatTicks(int ticks) {
      heartbeatTicks = ticks;
      return this;
    }

    public Builder preVote(boolean enabled) {
      preVote = enabled;
      return this;
    }

    public Builder checkQuorum(boolean enabled) {
      checkQuorum = enabled;
      return this;
    }

    public Builder leaseReads(boolean enabled) {
      leaseReads = enabled;
      return this;
    }

    public Builder clockDriftTicks(int ticks) {
      clockDriftTicks = ticks;
      return this;
    }

    public Builder appendEntriesMax(int count) {
      appendEntriesMax = count;
      return this;
    }

    public Builder appendBytesMax(long bytes) {
      appendBytesMax = bytes;
      return this;
    }

    public Builder inflightAppendsMax(int count) {
      inflightAppendsMax = count;
      return this;
    }

    public Builder entryBytesMax(long bytes) {
      entryBytesMax = bytes;
      return this;
    }

    public Builder uncommittedBytesMax(long bytes) {
      uncommittedBytesMax = bytes;
      return this;
    }

    public Builder readsPendingMax(int count) {
      readsPendingMax = count;
      return this;
    }

    public Builder snapshotChunkBytes(int bytes) {
      snapshotChunkBytes = bytes;
      return this;
    }

    public Builder readyCommittedEntriesMax(int count) {
      readyCommittedEntriesMax = count;
      return this;
    }

    public RaftConfig build() {
      return new RaftConfig(
          id,
          initialConfiguration,
          electionTimeoutTicks,
          heartbeatTicks,
          preVote,
          checkQuorum,
          leaseReads,
          clockDriftTicks,
          appendEntriesMax,
          appendBytesMax,
          inflightAppendsMax,
          entryBytesMax,
          uncommittedBytesMax,
          readsPendingMax,
          snapshotChunkBytes,
          readyCommittedEntriesMax);
    }
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException("raft config: " + message);
    }
  }
}
