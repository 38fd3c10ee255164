package io.raftkv.checker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The three formats read to the same operations; bad input names file and line. */
class HistoryReaderTest {
  private static History parse(String... lines) throws MalformedHistoryException {
    return History.parse("h.txt", List.of(lines), null);
  }

  @Test
  void jsonlCasFailAndReadOkPairByProcess() throws Exception {
    History history =
        parse(
            "{\"process\":3,\"type\":\"invoke\",\"f\":\"cas\",\"key\":\"x\",\"value\":[1,2]}",
            "{\"process\":4,\"type\":\"invoke\",\"f\":\"read\",\"key\":\"x\",\"time\":17}",
            "{\"process\":3,\"type\":\"fail\",\"f\":\"cas\",\"key\":\"x\",\"value\":[1,2]}",
            "{\"process\":4,\"type\":\"ok\",\"f\":\"read\",\"key\":\"x\",\"value\":null}");
    assertThat(history.operations()).hasSize(2);
    Operation cas = history.operations().get(0);
    assertThat(cas.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(cas.input()).isEqualTo(List.of(1L, 2L));
    assertThat(cas.completeLine()).isEqualTo(3);
    Operation read = history.operations().get(1);
    assertThat(read.output()).isSameAs(Values.NIL);
    assertThat(read.invokeIndex()).isEqualTo(1);
    assertThat(read.completeIndex()).isEqualTo(3);
  }

  @Test
  void ednAndJepsenLogReadTheSameOperation() throws Exception {
    History edn =
        parse(
            "{:process 3, :type :invoke, :f :cas, :value [3 0]}",
            "{:process 3, :type :ok, :f :cas, :value [3 0]}");
    History log =
        parse(
            "INFO  jepsen.util - 3\t:invoke\t:cas\t[3 0]",
            "INFO  jepsen.util - 3   :ok   :cas  [3 0]");
    assertThat(log.operations()).hasSize(1);
    Operation a = edn.operations().get(0);
    Operation b = log.operations().get(0);
    assertThat(b.input()).isEqualTo(a.input()).isEqualTo(List.of(3L, 0L));
    assertThat(b.outcome()).isEqualTo(a.outcome()).isEqualTo(Outcome.OK);
  }

  @Test
  void jepsenInfoIsIndeterminateAndRetiresTheProcess() throws Exception {
    History history =
        parse(
            "INFO  jepsen.util - 2\t:invoke\t:write\t4",
            "INFO  jepsen.util - 2\t:info\t:write\t:timed-out");
    assertThat(history.operations().get(0).outcome()).isEqualTo(Outcome.UNKNOWN);
    assertThat(history.operations().get(0).input()).isEqualTo(4L);
    assertThatThrownBy(
            () ->
                parse(
                    "INFO  jepsen.util - 2\t:invoke\t:write\t4",
                    "INFO  jepsen.util - 2\t:info\t:write\t:timed-out",
                    "INFO  jepsen.util - 2\t:invoke\t:read\tnil"))
        .isInstanceOf(MalformedHistoryException.class)
        .hasMessage("h.txt:3: process 2 invokes after its operation ended in info at line 2");
  }

  @Test
  void anInvocationWithoutCompletionIsIndeterminate() throws Exception {
    History history = parse("{\"process\":1,\"type\":\"invoke\",\"f\":\"write\",\"value\":1}");
    assertThat(history.operations().get(0).outcome()).isEqualTo(Outcome.UNKNOWN);
    assertThat(history.operations().get(0).completed()).isFalse();
  }

  @Test
  void badInputNamesFileAndLine() {
    assertThatThrownBy(
            () ->
                parse(
                    "{\"process\":1,\"type\":\"invoke\",\"f\":\"read\"}",
                    "{\"process\":1,\"type\":\"ok\",\"f\":\"read\",\"value\":3"))
        .hasMessageStartingWith("h.txt:2: bad JSON at column");
    assertThatThrownBy(() -> parse("{\"process\":1,\"type\":\"ok\",\"f\":\"read\"}"))
        .hasMessage("h.txt:1: completion ok for process 1, which has no operation in progress");
    assertThatThrownBy(
            () ->
                parse(
                    "{\"process\":1,\"type\":\"invoke\",\"f\":\"read\"}",
                    "{\"process\":1,\"type\":\"invoke\",\"f\":\"read\"}"))
        .hasMessage(
            "h.txt:2: process 1 invokes while its operation invoked at line 1 has no"
                + " completion");
    assertThatThrownBy(
            () ->
                parse(
                    "{\"process\":1,\"type\":\"invoke\",\"f\":\"read\"}",
                    "{\"process\":1,\"type\":\"ok\",\"f\":\"write\"}"))
        .hasMessageContaining("h.txt:2: completion of 'write'");
    assertThatThrownBy(() -> parse("hello"))
        .hasMessage("h.txt:1: not a history line in any known format (jsonl, edn, jepsen-log)");
    assertThatThrownBy(() -> parse("{:process 1, :type :invoke, :f :read, :value nil", "x"))
        .hasMessageStartingWith("h.txt:1: bad EDN");
  }

  @Test
  void modelMismatchIsBadInputNotAVerdict() throws Exception {
    History history = parse("{\"process\":1,\"type\":\"invoke\",\"f\":\"append\",\"value\":7}");
    assertThatThrownBy(() -> LinearizabilityChecker.check(history, Models.byName("kv")))
        .isInstanceOf(MalformedHistoryException.class)
        .hasMessage("h.txt:1: append of 7, not a string");
    assertThatThrownBy(() -> LinearizabilityChecker.check(history, Models.byName("register")))
        .hasMessage(
            "h.txt:1: register has no operation 'append' (expected read, write or" + " cas)");
  }

  @Test
  void emptyAndBlankHistoriesAreLinearizable() throws Exception {
    for (History history : List.of(parse(), parse("", "   "))) {
      assertThat(history.operations()).isEmpty();
      assertThat(LinearizabilityChecker.check(history, Models.byName("kv")).line())
          .isEqualTo("linearizable=true");
    }
  }

  @Test
  void errorFieldMakesAFailedCasConstrainNothing() throws Exception {
    // The register holds nil, so a cas from nil cannot have failed by comparison...
    String invoke = "{\"process\":1,\"type\":\"invoke\",\"f\":\"cas\",\"value\":[null,1]}";
    History compared =
        parse(invoke, "{\"process\":1,\"type\":\"fail\",\"f\":\"cas\",\"value\":[null,1]}");
    assertThat(LinearizabilityChecker.check(compared, Models.byName("register")).result())
        .isEqualTo(Verdict.Result.NOT_LINEARIZABLE);
    // ...but refused before it ran ("not leader"), it says nothing.
    History refused =
        parse(
            invoke,
            "{\"process\":1,\"type\":\"fail\",\"f\":\"cas\","
                + "\"value\":[null,1],\"error\":\"not leader\"}");
    assertThat(LinearizabilityChecker.check(refused, Models.byName("register")).result())
        .isEqualTo(Verdict.Result.LINEARIZABLE);
  }
}
