package io.raftkv.cli;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.Compare;
import io.etcd.jetcd.api.DeleteRangeRequest;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.RequestOp;
import io.etcd.jetcd.api.TxnRequest;
import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * etcdctl's {@code txn} input: compares, a blank line, the operations on success, a blank line, the
 * operations on failure (ctlv3/command/txn_command.go). A compare is {@code value("k") = "v"},
 * {@code mod("k") > "3"}, {@code create|version(...)} with {@code = != < >}; an operation is {@code
 * put KEY VALUE}, {@code get KEY [RANGE_END]} or {@code del KEY [RANGE_END]}, with {@code --prefix}
 * on get and del; arguments may be double-quoted.
 */
final class TxnParser {
  private static final Pattern COMPARE =
      Pattern.compile("(\\w+)\\(\"((?:[^\"\\\\]|\\\\.)*)\"\\)\\s*(=|!=|<|>)\\s*(.+)");

  private TxnParser() {}

  static TxnRequest parse(BufferedReader in) throws IOException {
    TxnRequest.Builder txn = TxnRequest.newBuilder();
    for (String line : section(in)) {
      txn.addCompare(compare(line));
    }
    for (String line : section(in)) {
      txn.addSuccess(operation(line));
    }
    for (String line : section(in)) {
      txn.addFailure(operation(line));
    }
    return txn.build();
  }

  /** Lines up to a blank one or the end. */
  private static List<String> section(BufferedReader in) throws IOException {
    List<String> lines = new ArrayList<>();
    for (String line = in.readLine(); line != null && !line.isBlank(); line = in.readLine()) {
      lines.add(line.trim());
    }
    return lines;
  }

  static Compare compare(String line) {
    Matcher m = COMPARE.matcher(line);
    if (!m.matches()) {
      throw new IllegalArgumentException("malformed comparison: " + line);
    }
    Compare.Builder compare =
        Compare.newBuilder().setKey(ByteString.copyFromUtf8(unescape(m.group(2))));
    compare.setResult(
        switch (m.group(3)) {
          case "=" -> Compare.CompareResult.EQUAL;
          case "!=" -> Compare.CompareResult.NOT_EQUAL;
          case "<" -> Compare.CompareResult.LESS;
          default -> Compare.CompareResult.GREATER;
        });
    String operand = unquote(m.group(4).trim());
    switch (m.group(1)) {
      case "ver", "version" ->
          compare.setTarget(Compare.CompareTarget.VERSION).setVersion(number(operand, line));
      case "c", "create" ->
          compare.setTarget(Compare.CompareTarget.CREATE).setCreateRevision(number(operand, line));
      case "m", "mod" ->
          compare.setTarget(Compare.CompareTarget.MOD).setModRevision(number(operand, line));
      case "val", "value" ->
          compare.setTarget(Compare.CompareTarget.VALUE).setValue(ByteString.copyFromUtf8(operand));
      default ->
          throw new IllegalArgumentException(
              "malformed comparison: " + line + " (unknown target " + m.group(1) + ")");
    }
    return compare.build();
  }

  static RequestOp operation(String line) {
    List<String> words = words(line);
    boolean prefix = words.remove("--prefix");
    if (words.size() < 2) {
      throw new IllegalArgumentException("malformed operation: " + line);
    }
    ByteString key = ByteString.copyFromUtf8(words.get(1));
    ByteString end =
        prefix
            ? KeyRangeOptions.prefixEnd(key)
            : words.size() > 2 ? ByteString.copyFromUtf8(words.get(2)) : ByteString.EMPTY;
    return switch (words.get(0)) {
      case "put" -> {
        if (words.size() != 3) {
          throw new IllegalArgumentException("malformed operation: " + line + " (put KEY VALUE)");
        }
        yield RequestOp.newBuilder()
            .setRequestPut(
                PutRequest.newBuilder().setKey(key).setValue(ByteString.copyFromUtf8(words.get(2))))
            .build();
      }
      case "get" ->
          RequestOp.newBuilder()
              .setRequestRange(RangeRequest.newBuilder().setKey(key).setRangeEnd(end))
              .build();
      case "del", "delete" ->
          RequestOp.newBuilder()
              .setRequestDeleteRange(DeleteRangeRequest.newBuilder().setKey(key).setRangeEnd(end))
              .build();
      default ->
          throw new IllegalArgumentException("malformed operation: " + line + " (put, get or del)");
    };
  }

  /** Whitespace-separated words; a double-quoted word may hold spaces and \" escapes. */
  static List<String> words(String line) {
    List<String> words = new ArrayList<>();
    StringBuilder word = null;
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '\\' && i + 1 < line.length()) {
          word.append(line.charAt(++i));
        } else if (c == '"') {
          quoted = false;
        } else {
          word.append(c);
        }
      } else if (Character.isWhitespace(c)) {
        if (word != null) {
          words.add(word.toString());
          word = null;
        }
      } else {
        word = word == null ? new StringBuilder() : word;
        if (c == '"') {
          quoted = true;
        } else {
          word.append(c);
        }
      }
    }
    if (quoted) {
      throw new IllegalArgumentException("unterminated quote in: " + line);
    }
    if (word != null) {
      words.add(word.toString());
    }
    return words;
  }

  private static String unquote(String operand) {
    return operand.length() >= 2 && operand.startsWith("\"") && operand.endsWith("\"")
        ? unescape(operand.substring(1, operand.length() - 1))
        : operand;
  }

  private static String unescape(String text) {
    return text.replaceAll("\\\\(.)", "$1");
  }

  private static long number(String operand, String line) {
    try {
      return Long.parseLong(operand);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "malformed comparison: " + line + " (" + operand + " is not a number)");
    }
  }
}
