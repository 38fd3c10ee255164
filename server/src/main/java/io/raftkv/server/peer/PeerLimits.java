package io.raftkv.server.peer;

import java.time.Duration;

/**
 * Bounds of the peer transport (STYLE.md §5).
 *
 * @param queueMessagesMax messages waiting for one peer; beyond it new ones are dropped
 * @param queueBytesMax their bytes (estimated); beyond it too
 * @param batchMessagesMax messages per frame
 * @param batchBytesMax bytes per frame, beyond which the frame is sent (one message may pass it)
 * @param messageBytesMax the largest message sent or accepted; a frame may hold one such message
 *     plus a batch's worth: the peer server's inbound limit is their sum
 * @param inboundFramesMax frames one inbound stream may have handed over that the node's loop has
 *     not yet taken; past it gRPC's flow control (then TCP's) holds the sender back, so a peer that
 *     floods valid messages cannot grow the loop's queue
 * @param reconnectFirst the first wait before reopening a broken stream
 * @param reconnectMax the cap of the doubling waits
 */
public record PeerLimits(
    int queueMessagesMax,
    long queueBytesMax,
    int batchMessagesMax,
    long batchBytesMax,
    int messageBytesMax,
    int inboundFramesMax,
    Duration reconnectFirst,
    Duration reconnectMax) {

  /** For a core whose AppendEntries and snapshot chunks stay under {@code messageBytesMax}. */
  public static PeerLimits defaults(int messageBytesMax) {
    return new PeerLimits(
        4096,
        64L << 20,
        512,
        1 << 20,
        messageBytesMax,
        4,
        Duration.ofMillis(50),
        Duration.ofSeconds(2));
  }

  /** The peer server's per-frame inbound limit. */
  public int frameBytesMax() {
    return (int) Math.min(Integer.MAX_VALUE, batchBytesMax + messageBytesMax + 4096);
  }
}
