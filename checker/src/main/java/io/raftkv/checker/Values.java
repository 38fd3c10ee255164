package io.raftkv.checker;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;

/** Canonical forms of the scalar values histories carry, so that equal values are equal(). */
final class Values {
  /** The absent value: a register never written, EDN {@code nil}, JSON {@code null}. */
  static final Object NIL =
      new Object() {
        @Override
        public String toString() {
          return "nil";
        }

        // Fixed, so that hash iteration order, and with it the search order, is reproducible.
        @Override
        public int hashCode() {
          return 0x6e696c;
        }
      };

  private static final BigDecimal LONG_MIN = BigDecimal.valueOf(Long.MIN_VALUE);
  private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);

  private Values() {}

  /** 1, 1.0 and 1e0 are the same register value: integral numbers become Long when they fit. */
  static Object normalize(BigDecimal number) {
    BigDecimal stripped = number.stripTrailingZeros();
    if (stripped.scale() <= 0
        && stripped.compareTo(LONG_MIN) >= 0
        && stripped.compareTo(LONG_MAX) <= 0) {
      return stripped.longValueExact();
    }
    if (stripped.scale() <= 0) {
      return new BigDecimal(new BigInteger(stripped.toPlainString()));
    }
    return stripped;
  }

  /** Maps the readers' null sentinels onto {@link #NIL}, inside lists too ({@code [null, 1]}). */
  static Object canonical(Object value) {
    if (value == null || value == Json.NULL) {
      return NIL;
    }
    if (value instanceof List<?> list) {
      return list.stream().map(Values::canonical).toList();
    }
    return value;
  }

  /** A short human form: strings quoted, lists in brackets. */
  static String show(Object value) {
    if (value == null || value == NIL || value == Json.NULL) {
      return "nil";
    }
    if (value instanceof String s) {
      return Json.quote(new StringBuilder(), s).toString();
    }
    if (value instanceof List<?> list) {
      StringBuilder out = new StringBuilder("[");
      for (int i = 0; i < list.size(); i++) {
        out.append(i > 0 ? " " : "").append(show(list.get(i)));
      }
      return out.append(']').toString();
    }
    return String.valueOf(value);
  }
}
