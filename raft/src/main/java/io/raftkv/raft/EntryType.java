package io.raftkv.raft;

/** What a log entry carries. The wire and the WAL store {@link #code()}, never the ordinal. */
public enum EntryType {
  /** A command for the state machine, opaque to the core. */
  COMMAND(1),
  /** The empty entry a new leader appends to commit its term (§5.4.2, thesis §6.4). */
  NOOP(2);

  private final int code;

  EntryType(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  public static EntryType fromCode(int code) {
    for (EntryType type : values()) {
      if (type.code == code) {
        return type;
      }
    }
    throw new IllegalArgumentException("unknown entry type code " + code);
  }
}
