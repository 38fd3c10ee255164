package io.raftkv.checker;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Pairs events into operations as they are read: the completion of an invocation is the next event
 * of the same process. Only invocations still open are held as events, so a history of millions of
 * lines costs its operations, not its lines. Keys and function names are shared between operations
 * (a history has few of them and millions of operations).
 */
final class HistoryBuilder {
  private final String source;
  private final List<Operation> operations = new ArrayList<>();
  private final Map<Long, Open> openByProcess = new HashMap<>();
  private final Map<Long, Integer> retiredAtLine = new HashMap<>();
  private final Map<Object, Object> shared = new HashMap<>();
  private int eventCount;

  /** An invocation waiting for its completion: its operation id and event position. */
  private record Open(int id, Event invoke, int invokeIndex) {}

  HistoryBuilder(String source) {
    this.source = source;
  }

  void add(Event event) throws MalformedHistoryException {
    int index = eventCount++;
    Open open = openByProcess.get(event.process());
    if (event.type() == Event.Type.INVOKE) {
      invoke(event, index, open);
      return;
    }
    if (open == null) {
      throw new MalformedHistoryException(
          source,
          event.line(),
          "completion "
              + event.type().name().toLowerCase(java.util.Locale.ROOT)
              + " for process "
              + event.process()
              + ", which has no operation in progress");
    }
    Event invoke = open.invoke();
    if (!invoke.function().equals(event.function())) {
      throw new MalformedHistoryException(
          source,
          event.line(),
          "completion of '"
              + event.function()
              + "' for process "
              + event.process()
              + " whose invocation at line "
              + invoke.line()
              + " was '"
              + invoke.function()
              + "'");
    }
    openByProcess.remove(event.process());
    if (event.type() == Event.Type.INFO) {
      retiredAtLine.put(event.process(), event.line());
    }
    operations.set(open.id(), operation(open, event, index));
  }

  private void invoke(Event event, int index, Open open) throws MalformedHistoryException {
    if (open != null) {
      throw new MalformedHistoryException(
          source,
          event.line(),
          "process "
              + event.process()
              + " invokes while its operation invoked at line "
              + open.invoke().line()
              + " has no completion");
    }
    Integer retired = retiredAtLine.get(event.process());
    if (retired != null) {
      throw new MalformedHistoryException(
          source,
          event.line(),
          "process "
              + event.process()
              + " invokes after its operation ended in info at line "
              + retired);
    }
    openByProcess.put(event.process(), new Open(operations.size(), event, index));
    operations.add(null);
  }

  History build() {
    for (Open open : openByProcess.values()) {
      operations.set(open.id(), operation(open, null, -1));
    }
    return new History(source, operations, eventCount);
  }

  private Operation operation(Open open, Event completion, int completeIndex) {
    Event invoke = open.invoke();
    Outcome outcome =
        completion == null
            ? Outcome.UNKNOWN
            : switch (completion.type()) {
              case OK -> Outcome.OK;
              case FAIL -> Outcome.FAIL;
              case INFO, INVOKE -> Outcome.UNKNOWN;
            };
    Object output = outcome == Outcome.OK ? completion.value() : Values.NIL;
    String error = completion == null ? null : completion.error();
    return new Operation(
        open.id(),
        invoke.process(),
        (String) share(invoke.function()),
        share(invoke.key()),
        invoke.value(),
        output,
        outcome,
        error,
        open.invokeIndex(),
        completeIndex,
        invoke.line(),
        completion == null ? 0 : completion.line());
  }

  private Object share(Object value) {
    return value == null ? null : shared.computeIfAbsent(value, v -> v);
  }
}
