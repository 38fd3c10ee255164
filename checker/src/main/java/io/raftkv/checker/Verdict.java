package io.raftkv.checker;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the checker concluded about one history.
 *
 * @param result the answer
 * @param key for NOT_LINEARIZABLE, the key whose sub-history failed (null when unkeyed)
 * @param operation for NOT_LINEARIZABLE, the operation that could not be placed
 * @param prefix for NOT_LINEARIZABLE, the longest linearization found before it, in order
 * @param reason for UNKNOWN, why no answer (which budget ran out)
 * @param operationCount operations checked (all keys)
 * @param elapsed the time the search took (not the parsing)
 */
public record Verdict(
    Result result,
    Object key,
    Operation operation,
    List<Operation> prefix,
    String reason,
    int operationCount,
    Duration elapsed) {

  /** The three answers; only the first two are verdicts. */
  public enum Result {
    LINEARIZABLE,
    NOT_LINEARIZABLE,
    UNKNOWN;

    /** The name in JSON output: linearizable, not-linearizable, unknown. */
    public String jsonName() {
      return switch (this) {
        case LINEARIZABLE -> "linearizable";
        case NOT_LINEARIZABLE -> "not-linearizable";
        case UNKNOWN -> "unknown";
      };
    }
  }

  public Verdict {
    prefix = prefix == null ? List.of() : List.copyOf(prefix);
  }

  /** {@code linearizable=true}, {@code linearizable=false key=K op=...}, {@code =unknown (why)}. */
  public String line() {
    return switch (result) {
      case LINEARIZABLE -> "linearizable=true";
      case NOT_LINEARIZABLE ->
          "linearizable=false key="
              + (key == null ? "-" : Values.show(key))
              + " op="
              + operation.describe();
      case UNKNOWN -> "linearizable=unknown (" + reason + ")";
    };
  }

  /** One JSON object on one line, for machines. */
  public String json(String file) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("file", file);
    fields.put("result", result.jsonName());
    fields.put("operations", (long) operationCount);
    fields.put("checkMillis", elapsed.toNanos() / 1e6);
    if (result == Result.NOT_LINEARIZABLE) {
      fields.put("key", key);
      Map<String, Object> op = new LinkedHashMap<>();
      op.put("process", operation.process());
      op.put("f", operation.function());
      op.put("value", operation.input());
      op.put("outcome", operation.outcome().name().toLowerCase(java.util.Locale.ROOT));
      op.put("output", operation.output());
      op.put("invokeLine", (long) operation.invokeLine());
      op.put("completeLine", (long) operation.completeLine());
      op.put("text", operation.describe());
      fields.put("operation", op);
      fields.put("linearizedPrefixLength", (long) prefix.size());
    }
    if (result == Result.UNKNOWN) {
      fields.put("reason", reason);
    }
    return Json.write(new StringBuilder(), fields).toString();
  }
}
