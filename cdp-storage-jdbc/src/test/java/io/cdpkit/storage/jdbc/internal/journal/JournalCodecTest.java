package io.cdpkit.storage.jdbc.internal.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.core.StorageException;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.AuditEntry;
import io.cdpkit.core.spi.storage.IdentityNode;
import io.cdpkit.core.spi.storage.MetadataStorage;
import io.cdpkit.core.spi.storage.PrivacyStorage;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.spi.storage.WriteTransaction;
import io.cdpkit.segmentation.spi.storage.Membership;
import io.cdpkit.segmentation.spi.storage.SegmentStorage;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The journal body: exact round trips of awkward values, and malformed bodies refused. */
class JournalCodecTest {
  private static final WorkspaceId WS = WorkspaceId.of("shop-journal");

  /** The body of one transaction of {@code work} on a fresh in-memory store. */
  private static byte[] body(Consumer<WriteTransaction> work) {
    return Store.inMemory().write(WS, tx -> {
      JournalingTransaction j = new JournalingTransaction(tx);
      work.accept(j);
      return j.encode();
    });
  }

  private static void replayFresh(byte[] body) {
    Store.inMemory().write(WS, tx -> {
      JournalCodec.replay(body, tx);
      return null;
    });
  }

  /** A body with one op of most kinds, personal data among the values. */
  private static byte[] richBody() {
    return body(tx -> {
      tx.insertEvent(JournalFixtures.event(0, 0, 1));
      tx.insertEvent(JournalFixtures.event(1, 2, 2));
      tx.putProfile(JournalFixtures.profile(0, 3));
      tx.putNode(new IdentityNode(JournalFixtures.IDS.get(0), JournalFixtures.PROFILES.get(0),
          "c-0"));
      tx.putComponent(JournalFixtures.component(0, 2));
      tx.addLink("c-0", JournalFixtures.link(0, 1));
      tx.appendLedger(JournalFixtures.ledger(0, 0));
      tx.require(MetadataStorage.class).putMetadata("segment/vip", "{}");
      tx.require(PrivacyStorage.class).appendAudit(new AuditEntry(0, JournalFixtures.T, "erase",
          JournalFixtures.PROFILES.get(0), "h-1", "{}"));
      tx.require(SegmentStorage.class).putMembership(new Membership("vip",
          JournalFixtures.PROFILES.get(0), JournalFixtures.T));
    });
  }

  @Test
  @DisplayName("a string with an unpaired surrogate, which UTF-8 cannot carry, reads back equal")
  void unpairedSurrogate() {
    String odd = "half \uD83D surrogate, and a lone low \uDC00 one, then 🛍";
    byte[] body = body(tx -> {
      tx.require(MetadataStorage.class).putMetadata("k", odd);
      tx.require(PrivacyStorage.class).appendAudit(new AuditEntry(0, JournalFixtures.T, "rectify",
          null, null, odd));
    });
    Store replica = Store.inMemory();
    replica.write(WS, tx -> {
      JournalCodec.replay(body, tx);
      return null;
    });
    replica.read(WS, tx -> {
      assertThat(tx.require(MetadataStorage.class).metadata("")).isEqualTo(Map.of("k", odd));
      assertThat(tx.require(PrivacyStorage.class).audit(0, 10).get(0).detail()).isEqualTo(odd);
      return null;
    });
  }

  @Test
  @DisplayName("every cut of a body either ends between ops (and replays) or is refused with a"
      + " StorageException that is not retryable and shows no value")
  void truncated() {
    byte[] body = richBody();
    int refused = 0;
    for (int n = 0; n < body.length; n++) {
      byte[] cut = Arrays.copyOf(body, n);
      try {
        replayFresh(cut);
      } catch (StorageException e) {
        refused++;
        assertThat(e.isRetryable()).isFalse();
        assertThat(e.getMessage()).doesNotContain("ayse", "example", "C-1", "İ");
      }
    }
    assertThat(refused).as("most cuts fall inside an op").isGreaterThan(body.length / 2);
    assertThatThrownBy(() -> replayFresh(Arrays.copyOf(body, body.length - 1)))
        .isInstanceOf(StorageException.class).hasMessageStartingWith("malformed journal body");
    replayFresh(body);
  }

  @Test
  @DisplayName("an unknown format version, an unknown op code and an empty body are refused")
  void wrongVersionOrOp() {
    byte[] body = richBody();
    byte[] version = body.clone();
    version[0] = 9;
    assertThatThrownBy(() -> replayFresh(version)).isInstanceOf(StorageException.class)
        .hasMessage("journal body has unknown format version 9");
    byte[] unknown = Arrays.copyOf(body, body.length + 1);
    unknown[body.length] = (byte) 99;
    assertThatThrownBy(() -> replayFresh(unknown)).isInstanceOf(StorageException.class)
        .hasMessage("malformed journal body: unknown op code 99 at byte " + body.length);
    assertThatThrownBy(() -> replayFresh(new byte[0])).isInstanceOf(StorageException.class)
        .hasMessageContaining("empty");
    assertThat(body(tx -> { })).as("nothing written: the version alone")
        .containsExactly(JournalCodec.VERSION);
    replayFresh(new byte[] {1});
  }

  @Test
  @DisplayName("values out of range (a bad presence flag, a string past the end, an invalid"
      + " record) are refused as malformed, not as another exception")
  void invalidValues() {
    // PUT_METADATA with a key whose length runs past the end.
    assertThatThrownBy(() -> replayFresh(new byte[] {1, 20, 100, 'a'}))
        .isInstanceOf(StorageException.class).hasMessageContaining("past the end");
    // DELETE_PROFILE with an empty profile id.
    assertThatThrownBy(() -> replayFresh(new byte[] {1, 8, 0}))
        .isInstanceOf(StorageException.class).hasMessageContaining("profile id is invalid");
    // PUT_MEMBERSHIP with an empty segment id.
    assertThatThrownBy(() -> replayFresh(new byte[] {1, 40, 0, 2, 'p', 2, 0}))
        .isInstanceOf(StorageException.class).hasMessageContaining("membership is invalid");
    // A ledger entry with an unknown kind.
    assertThatThrownBy(() -> replayFresh(new byte[] {1, 10, 7}))
        .isInstanceOf(StorageException.class).hasMessageContaining("kind is unknown");
    // An event whose JSON is not an event.
    assertThatThrownBy(() -> replayFresh(new byte[] {1, 1, 4, '{', '}'}))
        .isInstanceOf(StorageException.class);
  }

  @Test
  @DisplayName("replay refuses an event whose messageId the target already has: the target is"
      + " not the state the journal was written against")
  void divergedTarget() {
    byte[] body = body(tx -> tx.insertEvent(JournalFixtures.event(0, 0, 1)));
    Store s = Store.inMemory();
    s.write(WS, tx -> {
      JournalCodec.replay(body, tx);
      return null;
    });
    assertThatThrownBy(() -> s.write(WS, tx -> {
      JournalCodec.replay(body, tx);
      return null;
    })).isInstanceOf(StorageException.class).hasMessageContaining("already there");
  }

  @Test
  @DisplayName("a body with ops of every capability replays into the capabilities it names")
  void capabilitiesRequired() {
    byte[] body = richBody();
    Store replica = Store.inMemory();
    replica.write(WS, tx -> {
      JournalCodec.replay(body, tx);
      return null;
    });
    List<Membership> members = replica.read(WS, tx -> tx.require(SegmentStorage.class)
        .members("vip", null, 10));
    assertThat(members).extracting(Membership::profile)
        .containsExactly(JournalFixtures.PROFILES.get(0));
    Map<String, Long> counts = replica.read(WS, tx -> tx.eventNameCounts());
    assertThat(counts).hasSize(2);
  }
}
