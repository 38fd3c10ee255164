package io.raftkv.server.etcd;

import com.google.protobuf.UnknownFieldSet;
import io.etcd.jetcd.api.WatchResponse;
import java.util.ArrayList;
import java.util.List;

/** etcd's sendFragments: a response over the limit goes in pieces, all but the last marked. */
final class WatchFragments {
  private WatchFragments() {}

  static List<WatchResponse> split(WatchResponse whole, int bytesMax) {
    if (whole.getSerializedSize() < bytesMax || whole.getEventsCount() < 2) {
      return List.of(whole);
    }
    List<WatchResponse> pieces = new ArrayList<>();
    WatchResponse.Builder current = whole.toBuilder().clearEvents();
    for (int i = 0; i < whole.getEventsCount(); i++) {
      current.addEvents(whole.getEvents(i));
      if (current.getEventsCount() > 1 && current.build().getSerializedSize() >= bytesMax) {
        current.removeEvents(current.getEventsCount() - 1);
        pieces.add(marked(current.build()));
        current = whole.toBuilder().clearEvents().addEvents(whole.getEvents(i));
      }
    }
    pieces.add(current.build());
    return pieces;
  }

  private static WatchResponse marked(WatchResponse piece) {
    UnknownFieldSet fragment =
        UnknownFieldSet.newBuilder()
            .addField(
                WatchSession.RESPONSE_FRAGMENT_FIELD,
                UnknownFieldSet.Field.newBuilder().addVarint(1).build())
            .build();
    return piece.toBuilder().setUnknownFields(fragment).build();
  }
}
