package io.raftkv.cli;

import io.raftkv.client.ExactlyOnce;
import io.raftkv.client.RaftkvClient;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** etcdctl's global flags, shared by every command that talks to a cluster. */
final class ClientOptions {
  enum Format {
    simple,
    json,
    table
  }

  @Option(
      names = "--endpoints",
      split = ",",
      paramLabel = "HOST:PORT",
      defaultValue = "${env:RAFTKV_ENDPOINTS:-127.0.0.1:2379}",
      description =
          "members to talk to, comma-separated (env RAFTKV_ENDPOINTS; default ${DEFAULT-VALUE})")
  List<String> endpoints;

  @Option(
      names = "--command-timeout",
      paramLabel = "DURATION",
      defaultValue = "5s",
      converter = GoDuration.class,
      description =
          "a whole command, retries included, as 500ms, 5s or 1m (default ${DEFAULT-VALUE})")
  Duration commandTimeout;

  @Option(
      names = {"-w", "--write-out"},
      defaultValue = "simple",
      description = "output format: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE})")
  Format format;

  RaftkvClient connect() {
    return RaftkvClient.builder()
        .endpoints(endpoints)
        .callTimeout(commandTimeout)
        .attemptTimeout(
            commandTimeout.compareTo(Duration.ofSeconds(2)) < 0
                ? commandTimeout
                : Duration.ofSeconds(2))
        .exactlyOnce(ExactlyOnce.PREFERRED)
        .build();
  }

  boolean json() {
    return format == Format.json;
  }

  boolean table() {
    return format == Format.table;
  }

  /** Go's duration syntax, as etcdctl takes it: a number and ms, s, m or h. */
  static final class GoDuration implements CommandLine.ITypeConverter<Duration> {
    private static final Pattern SHAPE = Pattern.compile("(\\d+)(ms|s|m|h)");

    @Override
    public Duration convert(String value) {
      Matcher m = SHAPE.matcher(value.trim());
      if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
        throw new CommandLine.TypeConversionException(
            "'" + value + "' is not a positive duration like 500ms, 5s, 1m or 1h");
      }
      long amount = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(amount);
        case "s" -> Duration.ofSeconds(amount);
        case "m" -> Duration.ofMinutes(amount);
        default -> Duration.ofHours(amount);
      };
    }
  }
}
