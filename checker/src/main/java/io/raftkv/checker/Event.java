package io.raftkv.checker;

/** One line of a history, whatever its format, before invocations meet completions. */
record Event(
    int line, long process, Type type, String function, Object key, Object value, String error) {

  enum Type {
    INVOKE,
    OK,
    FAIL,
    INFO
  }
}
