package io.raftkv.kv;

import io.raftkv.kv.RangeRequest.SortOrder;
import io.raftkv.kv.RangeRequest.SortTarget;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Range reads and txn compares, as etcd's applier does them (filters after counting). */
final class RangeReader {
  private RangeReader() {}

  /**
   * Reads {@code r} from {@code history}, where the newest readable revision is {@code latest} and
   * the oldest {@code compactRevision}. Throws COMPACTED / FUTURE_REVISION like etcd.
   */
  static RangeResponse range(History history, RangeRequest r, long latest, long compactRevision) {
    long revision = readRevision(r.revision(), latest, compactRevision);
    List<KeyValue> kvs = new ArrayList<>();
    long count = 0;
    for (Chain c : history.chains(KeyRange.of(r.key(), r.rangeEnd()))) {
      Version v = history.head(c).liveAt(revision);
      if (v == null) {
        continue;
      }
      count++;
      if (!r.countOnly() && passesFilters(r, v)) {
        kvs.add(v.toKeyValue(c.key));
      }
    }
    sort(kvs, r.sortOrder(), r.sortTarget());
    boolean more = false;
    if (r.limit() > 0 && kvs.size() > r.limit()) {
      kvs = kvs.subList(0, (int) r.limit());
      more = true;
    }
    if (r.keysOnly()) {
      kvs = kvs.stream().map(KeyValue::withoutValue).toList();
    }
    return new RangeResponse(latest, kvs, more, count);
  }

  /** The revision a read at {@code requested} sees; 0 or less means the newest. */
  static long readRevision(long requested, long latest, long compactRevision) {
    if (requested > latest) {
      throw new KvException(
          KvErrorCode.FUTURE_REVISION, "revision " + requested + " > current " + latest);
    }
    long revision = requested <= 0 ? latest : requested;
    if (revision < compactRevision) {
      throw new KvException(
          KvErrorCode.COMPACTED, "revision " + revision + " < compacted " + compactRevision);
    }
    return revision;
  }

  private static boolean passesFilters(RangeRequest r, Version v) {
    return (r.maxModRevision() == 0 || v.modRevision <= r.maxModRevision())
        && (r.minModRevision() == 0 || v.modRevision >= r.minModRevision())
        && (r.maxCreateRevision() == 0 || v.createRevision <= r.maxCreateRevision())
        && (r.minCreateRevision() == 0 || v.createRevision >= r.minCreateRevision());
  }

  /**
   * etcd sorts ascending when a non-key target has no order, and never re-sorts ascending keys
   * (they come in key order). Our sort is stable, so ties stay in key order.
   */
  private static void sort(List<KeyValue> kvs, SortOrder order, SortTarget target) {
    if (order == SortOrder.NONE && target != SortTarget.KEY) {
      order = SortOrder.ASCEND;
    }
    if (order == SortOrder.NONE || (order == SortOrder.ASCEND && target == SortTarget.KEY)) {
      return;
    }
    Comparator<KeyValue> by =
        switch (target) {
          case KEY -> Comparator.comparing(KeyValue::key);
          case VERSION -> Comparator.comparingLong(KeyValue::version);
          case CREATE -> Comparator.comparingLong(KeyValue::createRevision);
          case MOD -> Comparator.comparingLong(KeyValue::modRevision);
          case VALUE -> Comparator.comparing(KeyValue::value);
        };
    kvs.sort(order == SortOrder.DESCEND ? by.reversed() : by);
  }

  /** Whether {@code c} holds at {@code revision}: for every key of its range, as etcd. */
  static boolean holds(History history, Compare c, long revision) {
    boolean anyKey = false;
    for (Chain chain : history.chains(KeyRange.of(c.key(), c.rangeEnd()))) {
      Version v = history.head(chain).liveAt(revision);
      if (v == null) {
        continue;
      }
      anyKey = true;
      if (!compare(c, v)) {
        return false;
      }
    }
    if (anyKey) {
      return true;
    }
    // No key: a missing value cannot be told from an empty one, so VALUE fails (etcd).
    return c.target() != Compare.Target.VALUE && compare(c, null);
  }

  private static boolean compare(Compare c, Version v) {
    int order =
        switch (c.target()) {
          case VERSION -> Long.compare(v == null ? 0 : v.version, c.number());
          case CREATE -> Long.compare(v == null ? 0 : v.createRevision, c.number());
          case MOD -> Long.compare(v == null ? 0 : v.modRevision, c.number());
          case LEASE -> Long.compare(v == null ? 0 : v.lease, c.number());
          case VALUE -> java.util.Arrays.compareUnsigned(v.value, c.value().array());
        };
    return switch (c.result()) {
      case EQUAL -> order == 0;
      case NOT_EQUAL -> order != 0;
      case GREATER -> order > 0;
      case LESS -> order < 0;
    };
  }
}
