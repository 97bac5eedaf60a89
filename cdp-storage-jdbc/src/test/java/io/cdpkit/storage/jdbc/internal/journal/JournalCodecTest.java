package io.cdpkit.storage.jdbc.internal.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.core.StorageException;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.ProfileState;
import io.cdpkit.core.model.ProfileState.OrderEntry;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.AuditEntry;
import io.cdpkit.core.spi.storage.IdentityNode;
import io.cdpkit.core.spi.storage.MetadataStorage;
import io.cdpkit.core.spi.storage.PrivacyStorage;
import io.cdpkit.core.spi.storage.ProfileRecord;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.spi.storage.WriteTransaction;
import io.cdpkit.segmentation.spi.storage.Membership;
import io.cdpkit.segmentation.spi.storage.SegmentStorage;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The journal body: exact round trips of awkward values, and malformed bodies refused. */
class JournalCodecTest {
  private static final WorkspaceId WS = WorkspaceId.of("shop-journal");

  /** The body of one transaction of {@code work} on a fresh in-memory store. */
  private static byte[] body(Consumer<WriteTransaction> work) {
    return journaled(Store.inMemory(), work);
  }

  private static void replayFresh(byte[] body) {
    replayInto(Store.inMemory(), body);
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

  /** A profile with {@code orders} orders, O-0 to O-(orders - 1). */
  private static ProfileRecord heavy(int orders) {
    Map<String, OrderEntry> all = new HashMap<>();
    for (int i = 0; i < orders; i++) {
      all.put("O-" + i, JournalFixtures.order("O-" + i, i));
    }
    return withOrders(JournalFixtures.profile(0, 1), all, 1);
  }

  /** {@code p} with {@code orders} instead of its own, at {@code version}. */
  private static ProfileRecord withOrders(ProfileRecord p, Map<String, OrderEntry> orders,
      long version) {
    ProfileState s = p.state();
    return new ProfileRecord(p.id(), ProfileState.of(s.traits(), Map.of(), s.firstSeen(),
        s.lastSeen(), Map.of(), Map.of(), orders, s.eventCounts()), p.identifierCounts(),
        version);
  }

  /** {@code base} less the orders {@code ids}, one version on. */
  private static ProfileRecord without(ProfileRecord base, String... ids) {
    Map<String, OrderEntry> fewer = new HashMap<>(base.state().orders());
    for (String id : ids) {
      fewer.remove(id);
    }
    return withOrders(base, fewer, base.version() + 1);
  }

  /** The body of one transaction of {@code work} on {@code store}. */
  private static byte[] journaled(Store store, Consumer<WriteTransaction> work) {
    return store.write(WS, tx -> {
      JournalingTransaction j = new JournalingTransaction(tx);
      work.accept(j);
      return j.encode();
    });
  }

  private static void replayInto(Store store, byte[] body) {
    store.write(WS, tx -> {
      JournalCodec.replay(body, tx);
      return null;
    });
  }

  private static Optional<ProfileRecord> profileIn(Store s, ProfileId id) {
    return s.read(WS, tx -> tx.profile(id));
  }

  /** Two stores holding {@code base}: one to journal on, one to replay into. */
  private static Store[] holding(ProfileRecord base) {
    Store[] stores = {Store.inMemory(), Store.inMemory()};
    for (Store s : stores) {
      s.write(WS, tx -> {
        tx.putProfile(base);
        return null;
      });
    }
    return stores;
  }

  @Test
  @DisplayName("a stored profile is written as a patch: a customer with 300 orders costs a body"
      + " her new order, not 300, and replaying it over her stored profile gives her whole")
  void storedProfileIsAPatch() {
    ProfileRecord base = heavy(300);
    Store[] s = holding(base);
    byte[] whole = body(tx -> tx.putProfile(base));
    byte[] patch = journaled(s[0], j -> {
      ProfileRecord stored = j.profile(base.id()).orElseThrow();
      j.putProfile(JournalFixtures.withOrder(stored, 1, 7)); // changes O1 ...
      ProfileRecord again = j.profile(base.id()).orElseThrow();
      j.putProfile(JournalFixtures.withOrder(again, 2, 8)); // ... and adds O2
    });
    assertThat(patch[1]).isEqualTo((byte) JournalCodec.PATCH_PROFILE);
    assertThat(patch.length).as("patch %s bytes, whole %s", patch.length, whole.length)
        .isLessThan(whole.length / 20);
    replayInto(s[1], patch);
    ProfileRecord expected = profileIn(s[0], base.id()).orElseThrow();
    assertThat(expected.state().orders()).hasSize(302);
    assertThat(profileIn(s[1], base.id())).contains(expected);
  }

  @Test
  @DisplayName("a patch removes the orders the new record lacks")
  void patchRemovesOrders() {
    ProfileRecord base = heavy(5);
    Store[] s = holding(base);
    ProfileRecord next = without(base, "O-2", "O-4");
    replayInto(s[1], journaled(s[0], j -> j.putProfile(next)));
    assertThat(profileIn(s[1], base.id())).contains(next);
    assertThat(next.state().orders()).containsOnlyKeys("O-0", "O-1", "O-3");
  }

  @Test
  @DisplayName("a patch replayed where the profile is not stored, or lacks an order it removes,"
      + " is refused: it would lose her orders, so nothing is guessed")
  void patchOverAnotherStateIsRefused() {
    ProfileRecord base = heavy(3);
    byte[] patch = journaled(holding(base)[0], j -> j.putProfile(without(base, "O-1")));
    assertThatThrownBy(() -> replayFresh(patch)).isInstanceOf(StorageException.class)
        .hasMessageContaining("profile patch meets no stored profile");
    Store other = holding(heavy(1))[0]; // holds O-0 only: no O-1 to remove
    assertThatThrownBy(() -> replayInto(other, patch)).isInstanceOf(StorageException.class)
        .hasMessageContaining("removes an order");
  }

  @Test
  @DisplayName("a profile deleted and put again in one transaction, and a new one, are written"
      + " whole, so they replay into a store that never held them")
  void deletedOrNewProfilesAreWhole() {
    ProfileRecord base = heavy(4);
    Store[] s = holding(base);
    ProfileRecord fresh = JournalFixtures.profile(1, 3);
    byte[] body = journaled(s[0], j -> {
      j.deleteProfile(base.id());
      j.putProfile(JournalFixtures.withOrder(base, 1, 9));
      j.putProfile(fresh);
    });
    Store empty = Store.inMemory();
    replayInto(empty, body);
    for (ProfileRecord p : List.of(base, fresh)) {
      assertThat(profileIn(empty, p.id())).isEqualTo(profileIn(s[0], p.id()));
    }
  }

  @Test
  @DisplayName("a body of the format before patches (2) still replays, and may hold no patch")
  void formatTwoReplays() {
    byte[] body = richBody();
    assertThat(body[0]).isEqualTo((byte) JournalCodec.VERSION);
    byte[] old = body.clone();
    old[0] = (byte) JournalCodec.VERSION_NO_PATCH;
    replayFresh(old);
    byte[] patch = journaled(holding(heavy(2))[0],
        j -> j.putProfile(JournalFixtures.withOrder(heavy(2), 1, 3)));
    patch[0] = (byte) JournalCodec.VERSION_NO_PATCH;
    assertThatThrownBy(() -> replayInto(holding(heavy(2))[1], patch))
        .isInstanceOf(StorageException.class).hasMessageContaining("patch in a body of format 2");
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
