package io.raftkv.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.raftkv.kv.RangeRequest.SortOrder;
import io.raftkv.kv.RangeRequest.SortTarget;
import io.raftkv.kv.proto.CommandProto;
import io.raftkv.kv.proto.CompareProto;
import io.raftkv.kv.proto.PutRequestProto;
import io.raftkv.kv.proto.RangeRequestProto;
import io.raftkv.kv.proto.RequestOpProto;
import io.raftkv.kv.proto.TxnRequestProto;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * docs/kv-command-format.md: round trips, pinned bytes, newer writers' fields, and garbage never
 * crashing.
 */
class CommandCodecTest {
  private static final long[] LEASES = {0, 1, 2, Long.MAX_VALUE, -1};

  /** Where an error says it happened: a byte offset, or a field path. */
  private static final String LOCATED =
      "malformed command at (offset \\d+ of \\d+|[a-z_]+(\\[\\d+])?(\\.[a-z_]+(\\[\\d+])?)*): .+";

  @Property(tries = 300)
  void everyCommandRoundTrips(@ForAll long seed) {
    Random r = new Random(seed);
    Command command =
        new Command(r.nextLong(), r.nextLong(), Generators.request(r, 1 + r.nextInt(50), LEASES));
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

  @Test
  void everyFieldRoundTrips() {
    Bytes k = Bytes.utf8("k");
    List<Request> requests =
        List.of(
            new RangeRequest(
                k,
                Bytes.utf8("z"),
                5,
                9,
                SortOrder.DESCEND,
                SortTarget.VALUE,
                true,
                true,
                1,
                2,
                3,
                4),
            new RangeRequest(
                k,
                Bytes.empty(),
                -1,
                -2,
                SortOrder.ASCEND,
                SortTarget.MOD,
                false,
                false,
                -3,
                -4,
                -5,
                -6),
            new PutRequest(k, Bytes.empty(), 0, true, true, true),
            new PutRequest(k, Bytes.utf8("v"), Long.MIN_VALUE, false, false, false),
            DeleteRangeRequest.range(k, Bytes.copyOf(new byte[] {0})).withPrevKv(),
            new CompactRequest(Long.MAX_VALUE),
            new LeaseGrantRequest(0, 10),
            new LeaseGrantRequest(-7, -1),
            new LeaseRevokeRequest(Long.MIN_VALUE),
            new SessionOpenRequest(),
            new TxnRequest(
                List.of(
                    Compare.value(k, Compare.Result.NOT_EQUAL, Bytes.empty()),
                    Compare.number(Compare.Target.LEASE, k, Compare.Result.LESS, -1)
                        .overRange(Bytes.utf8("m")),
                    Compare.number(Compare.Target.CREATE, k, Compare.Result.GREATER, 0),
                    Compare.number(Compare.Target.MOD, k, Compare.Result.EQUAL, 7),
                    Compare.number(Compare.Target.VERSION, k, Compare.Result.EQUAL, 1)),
                List.of(
                    RangeRequest.prefix(k).sorted(SortOrder.ASCEND, SortTarget.CREATE),
                    new TxnRequest(List.of(), List.of(), List.of(DeleteRangeRequest.of(k)))),
                List.of(PutRequest.of(k, Bytes.utf8("w")))),
            new TxnRequest(List.of(), List.of(), List.of()));
    for (Request request : requests) {
      Command command = new Command(-1, Long.MAX_VALUE, request);
      assertThat(roundTrip(CommandCodec.encode(command))).isEqualTo(command);
    }
  }

  /**
   * Field numbers are forever: these bytes are what command.proto said when they were written, and
   * every later build must read them alike.
   */
  @Test
  void pinnedBytesKeepTheirMeaning() throws MalformedCommandException {
    // client_id 5, sequence 7, put {key "k", value "v", lease 3, prev_kv}
    byte[] put =
        HexFormat.of().parseHex("08051007" + "1a0a" + "0a016b" + "120176" + "1803" + "2001");
    Command command =
        new Command(
            5, 7, PutRequest.of(Bytes.utf8("k"), Bytes.utf8("v")).withLease(3).withPrevKv());
    assertThat(CommandCodec.decode(put)).isEqualTo(command);
    assertThat(CommandCodec.encode(command)).isEqualTo(put);
    // txn {compare {result LESS, target MOD, key "k", mod_revision 4}, failure {delete "k"}}
    byte[] txn =
        HexFormat.of()
            .parseHex(
                "3212" + "0a09" + "08021002" + "1a016b" + "3004" + "1a05" + "1a03" + "0a016b");
    assertThat(CommandCodec.decode(txn))
        .isEqualTo(
            Command.of(
                new TxnRequest(
                    List.of(
                        Compare.number(
                            Compare.Target.MOD, Bytes.utf8("k"), Compare.Result.LESS, 4)),
                    List.of(),
                    List.of(DeleteRangeRequest.of(Bytes.utf8("k"))))));
  }

  /** A newer writer's fields, at any depth, are skipped: the rest decodes as before. */
  @Test
  void unknownFieldsAreIgnored() throws MalformedCommandException {
    UnknownFieldSet extra =
        UnknownFieldSet.newBuilder()
            .addField(99, UnknownFieldSet.Field.newBuilder().addVarint(42).build())
            .addField(
                1000,
                UnknownFieldSet.Field.newBuilder()
                    .addLengthDelimited(ByteString.copyFromUtf8("future"))
                    .build())
            .build();
    PutRequestProto put =
        PutRequestProto.newBuilder()
            .setKey(ByteString.copyFromUtf8("k"))
            .setValue(ByteString.copyFromUtf8("v"))
            .setUnknownFields(extra)
            .build();
    byte[] newer =
        CommandProto.newBuilder()
            .setClientId(3)
            .setSequence(4)
            .setTxn(
                TxnRequestProto.newBuilder()
                    .addSuccess(RequestOpProto.newBuilder().setPut(put).setUnknownFields(extra))
                    .setUnknownFields(extra))
            .setUnknownFields(extra)
            .build()
            .toByteArray();
    assertThat(CommandCodec.decode(newer))
        .isEqualTo(
            new Command(
                3,
                4,
                new TxnRequest(
                    List.of(),
                    List.of(PutRequest.of(Bytes.utf8("k"), Bytes.utf8("v"))),
                    List.of())));

    // The same by hand: field 15 (varint 1) appended to an encoded command.
    Command compact = Command.of(new CompactRequest(3));
    byte[] bytes = CommandCodec.encode(compact);
    byte[] appended = Arrays.copyOf(bytes, bytes.length + 2);
    appended[bytes.length] = (15 << 3) | 0;
    appended[bytes.length + 1] = 1;
    assertThat(CommandCodec.decode(appended)).isEqualTo(compact);
  }

  /** A request kind added later reaches an older build as an unknown field: refused, named. */
  @Test
  void aRequestOfAnUnknownKindIsRefused() {
    byte[] future = {(11 << 3) | 2, 0};
    assertThatThrownBy(() -> CommandCodec.decode(future))
        .isInstanceOf(MalformedCommandException.class)
        .hasMessage(
            "malformed command at request: none set (unknown fields [11]: a request"
                + " kind this build does not know?)");
    assertThatThrownBy(() -> CommandCodec.decode(new byte[0]))
        .hasMessage("malformed command at request: none set");
    byte[] emptyOp =
        CommandProto.newBuilder()
            .setTxn(
                TxnRequestProto.newBuilder()
                    .addSuccess(RequestOpProto.getDefaultInstance())
                    .addFailure(RequestOpProto.getDefaultInstance()))
            .build()
            .toByteArray();
    assertThatThrownBy(() -> CommandCodec.decode(emptyOp))
        .hasMessage("malformed command at txn.success[0]: no request set");
  }

  @Test
  void unknownEnumValuesAreRefused() {
    byte[] sortOrder =
        CommandProto.newBuilder()
            .setRange(RangeRequestProto.newBuilder().setSortOrderValue(7))
            .build()
            .toByteArray();
    assertThatThrownBy(() -> CommandCodec.decode(sortOrder))
        .hasMessage("malformed command at range.sort_order: value 7 unknown");
    byte[] sortTarget =
        CommandProto.newBuilder()
            .setRange(RangeRequestProto.newBuilder().setSortTargetValue(-1))
            .build()
            .toByteArray();
    assertThatThrownBy(() -> CommandCodec.decode(sortTarget))
        .hasMessage("malformed command at range.sort_target: value -1 unknown");
    byte[] compareTarget = txnWith(CompareProto.newBuilder().setTargetValue(5));
    assertThatThrownBy(() -> CommandCodec.decode(compareTarget))
        .hasMessage("malformed command at txn.compare[0].target: value 5 unknown");
    byte[] compareResult = txnWith(CompareProto.newBuilder().setResultValue(4).setVersion(1));
    assertThatThrownBy(() -> CommandCodec.decode(compareResult))
        .hasMessage("malformed command at txn.compare[0].result: value 4 unknown");
    byte[] nested =
        CommandProto.newBuilder()
            .setTxn(
                TxnRequestProto.newBuilder()
                    .addFailure(RequestOpProto.newBuilder().setPut(PutRequestProto.newBuilder()))
                    .addFailure(
                        RequestOpProto.newBuilder()
                            .setRange(RangeRequestProto.newBuilder().setSortOrderValue(3))))
            .build()
            .toByteArray();
    assertThatThrownBy(() -> CommandCodec.decode(nested))
        .hasMessage("malformed command at txn.failure[1].range.sort_order: value 3 unknown");
  }

  @Test
  void aCompareOperandMustMatchItsTarget() {
    byte[] noOperand =
        txnWith(CompareProto.newBuilder().setTarget(CompareProto.CompareTarget.VALUE));
    assertThatThrownBy(() -> CommandCodec.decode(noOperand))
        .hasMessage(
            "malformed command at txn.compare[0].target_union: target VALUE needs"
                + " operand VALUE, found TARGETUNION_NOT_SET");
    byte[] wrongOperand =
        txnWith(
            CompareProto.newBuilder()
                .setTarget(CompareProto.CompareTarget.LEASE)
                .setModRevision(3));
    assertThatThrownBy(() -> CommandCodec.decode(wrongOperand))
        .hasMessage(
            "malformed command at txn.compare[0].target_union: target LEASE needs"
                + " operand LEASE, found MOD_REVISION");
  }

  private static byte[] txnWith(CompareProto.Builder compare) {
    return CommandProto.newBuilder()
        .setTxn(TxnRequestProto.newBuilder().addCompare(compare))
        .build()
        .toByteArray();
  }

  /** Ours refuses at 64 txn levels with a path; protobuf's recursion limit stops deeper input. */
  @Test
  void nestingIsBoundedBeforeTheStackIs() throws MalformedCommandException {
    assertThat(CommandCodec.decode(CommandCodec.encode(nested(CommandCodec.TXN_DEPTH_MAX))))
        .isEqualTo(nested(CommandCodec.TXN_DEPTH_MAX));
    assertThatThrownBy(
            () -> CommandCodec.decode(CommandCodec.encode(nested(CommandCodec.TXN_DEPTH_MAX + 1))))
        .hasMessageStartingWith("malformed command at txn.success[0].txn.success[0].txn")
        .hasMessageEndingWith(".txn: txn nested deeper than 64");
    byte[] deep = deepTxnBytes(5_000);
    assertThatThrownBy(() -> CommandCodec.decode(deep))
        .isInstanceOf(MalformedCommandException.class)
        .hasMessageStartingWith("malformed command at offset ")
        .hasMessageContaining("too many levels of nesting");
  }

  /** A command of {@code levels} nested txns, built without recursion (as hostile bytes are). */
  private static byte[] deepTxnBytes(int levels) {
    byte[] txn = {};
    for (int i = 0; i < levels; i++) {
      byte[] op = lengthDelimited((4 << 3) | 2, txn); // RequestOpProto.txn
      txn = lengthDelimited((2 << 3) | 2, op); // TxnRequest.success
    }
    return lengthDelimited((6 << 3) | 2, txn); // Command.txn
  }

  private static byte[] lengthDelimited(int tag, byte[] body) {
    var out = new java.io.ByteArrayOutputStream();
    out.write(tag);
    for (int n = body.length; ; n >>>= 7) {
      if (n < 0x80) {
        out.write(n);
        break;
      }
      out.write((n & 0x7f) | 0x80);
    }
    out.writeBytes(body);
    return out.toByteArray();
  }

  private static Command nested(int levels) {
    TxnRequest txn = new TxnRequest(List.of(), List.of(), List.of());
    for (int i = 1; i < levels; i++) {
      txn = new TxnRequest(List.of(), List.of(txn), List.of());
    }
    return Command.of(txn);
  }

  @Property(tries = 500)
  void mangledBytesAreAnErrorAndChangeNothing(@ForAll long seed) {
    Random r = new Random(seed);
    byte[] bytes = CommandCodec.encode(Command.of(Generators.request(r, 10, LEASES)));
    byte[] mangled =
        switch (r.nextInt(3)) {
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
      assertThat(e.detail()).as("seed %d", seed).matches(LOCATED);
    }
  }

  /**
   * decode's shortcut for puts takes only what the generated parser reads the same way: checked on
   * puts as encoded, on every other request (never taken), and on mangled puts.
   */
  @Property(tries = 1000)
  void theShortcutAgreesWithTheGeneratedParser(@ForAll long seed) {
    Random r = new Random(seed);
    Request request =
        r.nextBoolean() ? Generators.put(r, LEASES) : Generators.request(r, 10, LEASES);
    if (request instanceof PutRequest && r.nextBoolean()) {
      request =
          new PutRequest(
              Generators.key(r),
              r.nextBoolean() ? Bytes.empty() : Generators.value(r),
              r.nextLong(),
              r.nextBoolean(),
              r.nextBoolean(),
              r.nextBoolean());
    }
    Command command =
        new Command(
            r.nextInt(3) == 0 ? 0 : r.nextLong(), r.nextInt(3) == 0 ? 0 : r.nextLong(), request);
    byte[] bytes = CommandCodec.encode(command);
    assertThat(CanonicalPutDecoder.decode(bytes))
        .as("seed %d", seed)
        .isEqualTo(request instanceof PutRequest ? command : null);
    byte[] mangled = bytes.clone();
    for (int i = r.nextInt(3); i >= 0; i--) {
      mangled[r.nextInt(mangled.length)] ^= (byte) (1 + r.nextInt(255));
    }
    mangled = r.nextInt(4) == 0 ? Arrays.copyOf(mangled, r.nextInt(mangled.length + 4)) : mangled;
    Command fast = CanonicalPutDecoder.decode(mangled);
    if (fast != null) {
      try {
        assertThat(CommandCodec.decodeMessage(mangled)).as("seed %d", seed).isEqualTo(fast);
      } catch (MalformedCommandException e) {
        throw new AssertionError("seed " + seed + ": shortcut took what the parser refuses", e);
      }
    }
  }

  @Test
  void theShortcutLeavesNonCanonicalPutsToTheParser() throws MalformedCommandException {
    UnknownFieldSet extra =
        UnknownFieldSet.newBuilder()
            .addField(99, UnknownFieldSet.Field.newBuilder().addVarint(42).build())
            .build();
    PutRequestProto put =
        PutRequestProto.newBuilder()
            .setKey(ByteString.copyFromUtf8("k"))
            .setValue(ByteString.copyFromUtf8("v"))
            .build();
    byte[] unknown =
        CommandProto.newBuilder()
            .setPut(put.toBuilder().setUnknownFields(extra))
            .build()
            .toByteArray();
    byte[] plain = CommandProto.newBuilder().setPut(put).build().toByteArray();
    // The put field twice: protobuf merges the two messages, a case the shortcut leaves alone.
    byte[] twice = Arrays.copyOf(plain, plain.length * 2);
    System.arraycopy(plain, 0, twice, plain.length, plain.length);
    Command expected = Command.of(PutRequest.of(Bytes.utf8("k"), Bytes.utf8("v")));
    for (byte[] bytes : List.of(unknown, twice)) {
      assertThat(CanonicalPutDecoder.decode(bytes)).isNull();
      assertThat(CommandCodec.decode(bytes)).isEqualTo(expected);
    }
    assertThat(CanonicalPutDecoder.decode(plain)).isEqualTo(expected);
  }

  @Test
  void aStrayEndGroupTagIsRefusedNotAnEarlyEnd() {
    byte[] good = CommandCodec.encode(Command.of(new CompactRequest(3)));
    byte[] stray = Arrays.copyOf(good, good.length + 3);
    stray[good.length] = (1 << 3) | 4;
    stray[good.length + 1] = (7 << 3) | 0;
    stray[good.length + 2] = 1;
    assertThatThrownBy(() -> CommandCodec.decode(stray))
        .isInstanceOf(MalformedCommandException.class)
        .hasMessageMatching(LOCATED)
        .hasMessageContaining("end-group tag");
    byte[] zeroTag = Arrays.copyOf(good, good.length + 1);
    assertThatThrownBy(() -> CommandCodec.decode(zeroTag))
        .hasMessageStartingWith(
            "malformed command at offset " + (good.length + 1) + " of " + zeroTag.length)
        .hasMessageContaining("invalid tag (zero)");
  }

  @Test
  void hugeLengthFailsWithoutAllocating() {
    // put: a message length of 2^31 - 1 in a 6-byte entry
    byte[] message = {(3 << 3) | 2, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07};
    assertThatThrownBy(() -> CommandCodec.decode(message))
        .hasMessageMatching(LOCATED)
        .hasMessageContaining("too large");
    // put { key: length 2^31 - 1 }
    byte[] key = {
      (3 << 3) | 2, 6, (1 << 3) | 2, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07
    };
    assertThatThrownBy(() -> CommandCodec.decode(key))
        .hasMessageStartingWith("malformed command at offset 8 of 8")
        .hasMessageContaining("truncated");
    // put: length -1
    byte[] negative = {(3 << 3) | 2, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f};
    assertThatThrownBy(() -> CommandCodec.decode(negative))
        .hasMessageMatching(LOCATED)
        .hasMessageContaining("negative size");
  }

  @Test
  void aPutIsCompact() {
    byte[] bytes =
        CommandCodec.encode(Command.of(PutRequest.of(Bytes.utf8("key"), Bytes.utf8("value"))));
    // put tag + length, then key tag + length + 3, value tag + length + 5; zeros are not sent
    assertThat(bytes).hasSize(14);
  }
}
