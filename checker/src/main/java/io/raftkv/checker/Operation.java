package io.raftkv.checker;

/**
 * One operation of a history: an invocation and at most one completion.
 *
 * @param id position of the invocation among all invocations of the history, from 0
 * @param process the client that ran it
 * @param function the operation's name, e.g. {@code read}, {@code cas}, {@code append}
 * @param key the key it touched, or null when the history has no keys
 * @param input the invocation's value ({@link Values#NIL} when absent)
 * @param output the completion's value ({@link Values#NIL} when absent or not completed)
 * @param outcome how it completed
 * @param error the completion's error text, or null
 * @param invokeIndex position of the invocation event in the history, from 0
 * @param completeIndex position of the completion event, or -1 when there is none
 * @param invokeLine 1-based line of the invocation in the source file
 * @param completeLine 1-based line of the completion, or 0 when there is none
 */
public record Operation(
    int id,
    long process,
    String function,
    Object key,
    Object input,
    Object output,
    Outcome outcome,
    String error,
    int invokeIndex,
    int completeIndex,
    int invokeLine,
    int completeLine) {

  /** True when a completion line exists (even {@code info}). */
  public boolean completed() {
    return completeIndex >= 0;
  }

  /** A short human form, e.g. {@code cas(1 2) -> fail} or {@code read() -> 3}. */
  public String describe() {
    StringBuilder out = new StringBuilder();
    out.append("process ").append(process).append(' ').append(function).append('(');
    if (input != Values.NIL) {
      String shown = Values.show(input);
      out.append(shown.startsWith("[") ? shown.substring(1, shown.length() - 1) : shown);
    }
    out.append(')');
    switch (outcome) {
      case OK ->
          out.append(
              output == Values.NIL && !function.equals("read") && !function.equals("get")
                  ? " -> ok"
                  : " -> " + Values.show(output));
      case FAIL -> out.append(" -> fail").append(error == null ? "" : " (" + error + ")");
      case UNKNOWN -> out.append(completed() ? " -> info" : " -> (no completion)");
    }
    if (key != null) {
      out.append(" key=").append(Values.show(key));
    }
    return out.append(" line ").append(invokeLine).toString();
  }
}
