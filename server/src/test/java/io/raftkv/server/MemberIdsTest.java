package io.raftkv.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Our ids equal a real etcd's for the same flags (etcd 3.4.23's startup log, token "tok"). */
class MemberIdsTest {
  private static final String TOKEN = "tok";

  @Test
  void memberIdsAndClusterIdMatchEtcd() {
    long n1 = MemberIds.memberId(List.of(URI.create("http://127.0.0.1:24801")), TOKEN);
    long n2 = MemberIds.memberId(List.of(URI.create("http://127.0.0.1:24802")), TOKEN);
    long n3 = MemberIds.memberId(List.of(URI.create("http://127.0.0.1:24803")), TOKEN);

    assertThat(MemberIds.hex(n1)).isEqualTo("a6b899a614adff8f");
    assertThat(MemberIds.hex(n2)).isEqualTo("98d24e1898a4bdcf");
    assertThat(MemberIds.hex(n3)).isEqualTo("542c41db199aab3e");
    assertThat(MemberIds.hex(MemberIds.clusterId(List.of(n3, n1, n2))))
        .isEqualTo("8f27b4012ffaf4a");
  }

  @Test
  void raftIdsArePositiveAndDerivedFromTheMemberId() {
    assertThat(MemberIds.raftId(0x8000_0000L).value()).isEqualTo(1);
    assertThat(MemberIds.raftId(0xa6b899a614adff8fL).value()).isEqualTo(0x14adff8f);
  }
}
