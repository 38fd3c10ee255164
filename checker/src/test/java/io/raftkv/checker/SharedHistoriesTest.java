package io.raftkv.checker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Every history of ../shared/testdata/histories/MANIFEST.tsv gets its expected verdict. */
class SharedHistoriesTest {
  @TestFactory
  Stream<DynamicTest> everyManifestHistoryGetsItsExpectedVerdict() throws Exception {
    List<SharedHistories.Entry> entries = SharedHistories.manifest();
    assertThat(entries).hasSize(31);
    return entries.stream()
        .map(
            entry ->
                DynamicTest.dynamicTest(
                    entry.name(),
                    () -> {
                      History history = History.read(entry.file());
                      Verdict verdict =
                          LinearizabilityChecker.check(history, Models.byName(entry.model()));
                      Verdict.Result expected =
                          entry.expected().equals("linearizable")
                              ? Verdict.Result.LINEARIZABLE
                              : Verdict.Result.NOT_LINEARIZABLE;
                      assertThat(verdict.result())
                          .as("%s: %s", entry.name(), verdict.line())
                          .isEqualTo(expected);
                      assertThat(Models.infer(history).name())
                          .isEqualTo(Models.byName(entry.model()).name());
                    }));
  }

  @Test
  void emptyEtcdLogIsLinearizable() throws Exception {
    Path empty = SharedHistories.directory().resolve("jepsen-etcd/etcd_095.log");
    History history = History.read(empty);
    assertThat(history.operations()).isEmpty();
    assertThat(LinearizabilityChecker.check(history, Models.byName("register")).line())
        .isEqualTo("linearizable=true");
  }

  @Test
  void failingKvHistoryNamesKeyAndOperation() throws Exception {
    Path bad = SharedHistories.directory().resolve("kv/c01-bad.txt");
    Verdict verdict = LinearizabilityChecker.check(History.read(bad), Models.byName("kv"));
    assertThat(verdict.line()).startsWith("linearizable=false key=\"");
    assertThat(verdict.operation()).isNotNull();
    assertThat(verdict.operation().function()).isEqualTo("get");
  }
}
