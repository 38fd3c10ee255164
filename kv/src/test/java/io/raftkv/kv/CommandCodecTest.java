package io.raftkv.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** docs/kv-command-format.md: round trips, version refusal, and garbage never crashing. */
class CommandCodecTest {
  private static final long[] LEASES = {0, 1, 2, Long.MAX_VALUE, -1};

  @Property(tries = 300)
  void everyCommandRoundTrips(@ForAll long seed) {
    Random r = new Random(seed);
    Command command = new Command(r.nextLong(), r.nextLong(),
        Generators.request(r, 1 + r.nextInt(50), LEASES));
    byte[] bytes = CommandCodec.encode(command);
    assertThat(roundTrip(bytes)).as("seed %d", seed).isEqualTo(command);
  }

  private static Command roundTrip(byte[] bytes) {
    try {
      return CommandCodec.decode(bytes);
    } catch (MalformedCommandException e) {
      throw new AssertionError(e);
    }
  }

  @Property(tries = 500)
  void mangledBytesAreAnErrorAndChangeNothing(@ForAll long seed) {
    Random r = new Random(seed);
    byte[] bytes = CommandCodec.encode(Command.of(Generators.request(r, 10, LEASES)));
    byte[] mangled = switch (r.nextInt(3)) {
      case 0 -> Arrays.copyOf(bytes, r.nextInt(bytes.length));
      case 1 -> {
        byte[] copy = bytes.clone();
        copy[r.nextInt(copy.length)] ^= (byte) (1 + r.nextInt(255));
        yield copy;
      }
      default -> {
        byte[] noise = new byte[r.nextInt(64)];
        r.nextBytes(noise);
        yield noise;
      }
    };
    Fixture f = new Fixture();
    f.put("x", "1");
    long revision = f.store.revision();
    Response response = f.store.apply(f.nextIndex(), mangled);
    // A flipped byte can still be a valid command; then it must apply like one.
    if (response instanceof ErrorResponse e && e.code() == KvErrorCode.MALFORMED_COMMAND) {
      assertThat(f.store.revision()).as("seed %d", seed).isEqualTo(revision);
      assertThat(f.get("x")).isEqualTo("1");
      assertThat(e.detail()).contains("offset");
    }
  }

  @Test
  void unknownFormatVersionAndTrailingBytesAreRefused() {
    byte[] good = CommandCodec.encode(Command.of(new CompactRequest(3)));
    byte[] future = good.clone();
    future[0] = 2;
    assertThatThrownBy(() -> CommandCodec.decode(future))
        .isInstanceOf(MalformedCommandException.class)
        .hasMessageContaining("format version 2 unknown");
    byte[] trailing = Arrays.copyOf(good, good.length + 1);
    assertThatThrownBy(() -> CommandCodec.decode(trailing))
        .hasMessageContaining("1 trailing bytes");
    assertThatThrownBy(() -> CommandCodec.decode(new byte[0]))
        .hasMessageContaining("unexpected end at offset 0");
  }

  @Test
  void hugeLengthFailsWithoutAllocating() {
    byte[] bytes = {1, 0, 0, CommandCodec.TAG_PUT, (byte) 0xff, (byte) 0xff, (byte) 0xff,
        (byte) 0xff, 0x07};
    assertThatThrownBy(() -> CommandCodec.decode(bytes))
        .hasMessageContaining("length 2147483647 out of range");
  }

  @Test
  void aPutIsCompact() {
    byte[] bytes = CommandCodec.encode(Command.of(PutRequest.of(Bytes.utf8("key"),
        Bytes.utf8("value"))));
    // version, client, sequence, tag, 1+3 key, 1+5 value, lease, flags
    assertThat(bytes).hasSize(16);
  }
}
