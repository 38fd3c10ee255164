package io.raftkv.kv;

/** A request refused for a reason the caller can act on; nothing was changed. */
public final class KvException extends RuntimeException {
  private final KvErrorCode code;
  private final String detail;

  public KvException(KvErrorCode code, String detail) {
    super(detail.isEmpty() ? code.message() : code.message() + " (" + detail + ")");
    this.code = code;
    this.detail = detail;
  }

  public KvErrorCode code() {
    return code;
  }

  /** What went wrong beyond the code's etcd message, e.g. which key or revision. */
  public String detail() {
    return detail;
  }
}
