package io.raftkv.kv;

/** A command refused; it changed nothing. */
public record ErrorResponse(long revision, KvErrorCode code, String detail) implements Response {
  public String message() {
    return detail.isEmpty() ? code.message() : code.message() + " (" + detail + ")";
  }
}
