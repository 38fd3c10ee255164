package io.raftkv.server;

import io.raftkv.raft.CoreLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The core's lines (role, term, compaction at INFO; per message at DEBUG) through SLF4J. */
final class Slf4jCoreLog implements CoreLog {
  private static final Logger LOG = LoggerFactory.getLogger("io.raftkv.server.core");

  @Override
  public boolean debugEnabled() {
    return LOG.isDebugEnabled();
  }

  @Override
  public void info(String line) {
    LOG.info(line);
  }

  @Override
  public void debug(String line) {
    LOG.debug(line);
  }
}
