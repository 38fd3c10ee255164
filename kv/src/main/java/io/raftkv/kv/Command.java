package io.raftkv.kv;

/**
 * One log entry's payload. {@code clientId} 0 means no session; otherwise {@code sequence} (from 1)
 * numbers the client's writes so a retry is answered, not applied twice.
 */
public record Command(long clientId, long sequence, Request request) {
  public static Command of(Request request) {
    return new Command(0, 0, request);
  }
}
