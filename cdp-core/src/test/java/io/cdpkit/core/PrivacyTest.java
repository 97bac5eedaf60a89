package io.cdpkit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.extension.CdpExtension;
import io.cdpkit.core.spi.extension.ExtensionContext;
import io.cdpkit.core.spi.extension.ProfileChange;
import io.cdpkit.core.spi.storage.AuditEntry;
import io.cdpkit.core.spi.storage.MetadataStorage;
import io.cdpkit.core.spi.storage.PrivacyStorage;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class PrivacyTest {
  static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
  static final ObjectMapper JSON = new ObjectMapper();

  final MutableClock clock = new MutableClock(T0);
  final Store store = Store.inMemory();

  Cdp cdp(CdpExtension... extensions) {
    Cdp.Builder b = Cdp.builder().store(store).clock(clock).privacyKey(KEY);
    for (CdpExtension e : extensions) {
      b.extension(e);
    }
    return b.build();
  }

  static Event order(String id, String user, Instant at) {
    return Event.track("Order Completed").messageId(id).userId(user)
        .property("orderId", "o-" + id).property("total", 12).timestamp(at).build();
  }

  static String hmac(byte[] key, String type, String value) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    mac.update(type.getBytes(StandardCharsets.UTF_8));
    mac.update((byte) 0);
    return HexFormat.of().formatHex(mac.doFinal(value.getBytes(StandardCharsets.UTF_8)));
  }

  @Nested
  @DisplayName("late events after an erasure")
  class LateEvents {
    @Test
    @DisplayName("an event stamped before the erasure is dropped, one stamped after starts anew")
    void lateDroppedNewStored() {
      try (Cdp cdp = cdp()) {
        cdp.ingest(order("m1", "C-1", T0.minus(Duration.ofDays(2))));
        clock.advance(Duration.ofHours(1));
        cdp.privacy().erase(Identifier.customerId("C-1"));

        IngestResult late = cdp.ingest(order("m2", "C-1", T0.minus(Duration.ofDays(1))));
        assertThat(late.status()).isEqualTo(IngestResult.Status.ERASED);
        assertThat(late.profile()).isEmpty();
        assertThat(cdp.profiles().find(Identifier.customerId("C-1"))).isEmpty();
        assertThat(cdp.profiles().eventCounts()).containsEntry("Order Completed", 1L);

        clock.advance(Duration.ofSeconds(2)); // received after the erasure, too
        BatchResult batch = cdp.ingest(List.of(
            order("m3", "C-1", T0.minus(Duration.ofMinutes(1))),
            order("m4", "C-2", T0.minus(Duration.ofMinutes(1))),
            order("m5", "C-1", clock.instant().plusSeconds(1))));
        assertThat(batch.results()).extracting(IngestResult::status).containsExactly(
            IngestResult.Status.ERASED, IngestResult.Status.STORED, IngestResult.Status.STORED);
        assertThat(batch.erased()).isEqualTo(1);
        Profile fresh = cdp.profiles().find(Identifier.customerId("C-1")).orElseThrow();
        assertThat(cdp.profiles().events(fresh.id())).extracting(Event::messageId)
            .containsExactly("m5");
      }
    }

    @Test
    @DisplayName("a replay of the erased events is dropped, also through JSON")
    void replayDropped() {
      try (Cdp cdp = cdp()) {
        cdp.ingest(order("m1", "C-1", T0.minus(Duration.ofDays(2))));
        cdp.ingest(order("m2", "C-1", T0.minus(Duration.ofDays(1))));
        clock.advance(Duration.ofHours(1));
        cdp.privacy().erase(Identifier.customerId("C-1"));
        BatchResult again = cdp.ingest(List.of(order("m1", "C-1", T0.minus(Duration.ofDays(2))),
            order("m2", "C-1", T0.minus(Duration.ofDays(1)))));
        assertThat(again.erased()).isEqualTo(2);
        String body = "{\"type\":\"track\",\"event\":\"Order Completed\",\"messageId\":\"m1\","
            + "\"userId\":\"C-1\",\"timestamp\":\"2026-02-27T10:00:00Z\"}";
        assertThat(cdp.ingestJson(body.getBytes(StandardCharsets.UTF_8)).erased()).isEqualTo(1);
        assertThat(cdp.profiles().find(Identifier.customerId("C-1"))).isEmpty();
      }
    }

    @Test
    @DisplayName("tombstones are keyed: the store holds HMAC(key, type, value), another key differs")
    void tombstonesKeyed() throws Exception {
      try (Cdp cdp = cdp()) {
        cdp.ingest(order("m1", "C-1", T0.minus(Duration.ofDays(2))));
        cdp.privacy().erase(Identifier.customerId("C-1"));
      }
      String mine = hmac(KEY, "customer_id", "C-1");
      byte[] other = KEY.clone();
      other[0] ^= 1;
      String theirs = hmac(other, "customer_id", "C-1");
      assertThat(mine).isNotEqualTo(theirs);
      java.util.Map<String, Instant> found =
          store.read(WorkspaceId.DEFAULT, tx -> tx.require(PrivacyStorage.class)
              .tombstones(List.of(mine, theirs)));
      assertThat(found).containsOnlyKeys(mine).containsEntry(mine, T0);
    }

    @Test
    @DisplayName("without a host key a random key is kept in metadata, and tombstones still work")
    void generatedKey() {
      try (Cdp cdp = Cdp.builder().store(store).clock(clock).build()) {
        cdp.ingest(order("m1", "C-1", T0.minus(Duration.ofDays(2))));
        cdp.privacy().erase(Identifier.customerId("C-1"));
        java.util.Map<String, String> key =
            store.read(WorkspaceId.DEFAULT, tx -> tx.require(MetadataStorage.class)
                .metadata("core.privacy.key"));
        assertThat(key).hasSize(1);
        assertThat(cdp.ingest(order("m2", "C-1", T0.minusSeconds(1))).status())
            .isEqualTo(IngestResult.Status.ERASED);
      }
    }

    @Test
    @DisplayName("erasing an unknown identifier still leaves a tombstone")
    void unknownIdentifier() {
      try (Cdp cdp = cdp()) {
        ErasureReport r = cdp.privacy().erase(Identifier.email("nobody@example.com"));
        assertThat(r.erasedProfile()).isEmpty();
        assertThat(r.events()).isZero();
        Event e = Event.identify().messageId("m1").anonymousId("a-9")
            .trait("email", "nobody@example.com").timestamp(T0.minusSeconds(5)).build();
        assertThat(cdp.ingest(e).status()).isEqualTo(IngestResult.Status.ERASED);
      }
    }
  }

  /** Captures profile changes, like segmentation does. */
  static final class Recorder implements CdpExtension {
    final List<ProfileChange> changes = new CopyOnWriteArrayList<>();

    @Override
    public void attach(ExtensionContext context) {
      context.observe(pc -> changes.addAll(pc.changes()));
    }
  }

  @Test
  @DisplayName("observers see the erased profile go without a survivor")
  void observersSeeDeletion() {
    Recorder rec = new Recorder();
    try (Cdp cdp = cdp(rec)) {
      cdp.ingest(order("m1", "C-1", T0.minus(Duration.ofDays(2))));
      ProfileId id = cdp.profiles().find(Identifier.customerId("C-1")).orElseThrow().id();
      rec.changes.clear();
      cdp.privacy().erase(Identifier.customerId("C-1"));
      assertThat(rec.changes).singleElement().satisfies(c -> {
        assertThat(c.id()).isEqualTo(id);
        assertThat(c.before()).isNotNull();
        assertThat(c.after()).isNull();
        assertThat(c.mergedInto()).isNull();
      });
    }
  }

  @Nested
  @DisplayName("export")
  class Export {
    @Test
    @DisplayName("holds every kind of data, each section as the SPI reads it")
    void everySection() throws Exception {
      try (Cdp cdp = cdp()) {
        cdp.ingest(Event.track("Browsed").messageId("m0").anonymousId("a-1")
            .timestamp(T0.minus(Duration.ofDays(3))).build());
        cdp.ingest(Event.identify().messageId("m1").userId("C-1").trait("email", "jane@x.test")
            .trait("name", "Jane").consent("marketing", "email", true)
            .timestamp(T0.minus(Duration.ofDays(2))).build());
        cdp.ingest(Event.track("Signed In").messageId("m2").userId("C-1").anonymousId("a-1")
            .timestamp(T0.minus(Duration.ofDays(1))).build());
        cdp.ingest(Event.track("Unsubscribed").messageId("m3").userId("C-1")
            .consent("marketing", "email", false).timestamp(T0.minusSeconds(60)).build());
        Profile p = cdp.profiles().find(Identifier.customerId("C-1")).orElseThrow();
        ProfileId merged = store.read(WorkspaceId.DEFAULT, tx -> tx.redirectsTo(p.id())).stream()
            .findFirst().orElse(null);
        String json = cdp.privacy().export(Identifier.email("JANE@x.test")).orElseThrow();
        JsonNode doc = JSON.readTree(json);

        JsonNode profile = doc.get("profile");
        assertThat(profile.get("id").asText()).isEqualTo(p.id().value());
        if (merged != null) {
          assertThat(profile.get("mergedIds").get(0).asText()).isEqualTo(merged.value());
        }
        assertThat(profile.get("identifiers")).hasSize(p.identifiers().size());
        assertThat(json).contains("jane@x.test", "a-1", "C-1");
        assertThat(profile.get("traits").get("name").get("value").asText()).isEqualTo("Jane");
        assertThat(profile.get("consents").get(0).get("granted").asBoolean()).isFalse();
        assertThat(doc.get("consentHistory")).extracting(n -> n.get("granted").asBoolean())
            .containsExactly(true, false);
        assertThat(doc.get("consentHistory").get(0).get("messageId").asText()).isEqualTo("m1");
        List<String> events = new ArrayList<>();
        doc.get("events").forEach(e -> events.add(e.get("messageId").asText()));
        assertThat(events).containsExactlyElementsOf(
            cdp.profiles().events(p.id()).stream().map(Event::messageId).toList());
        // What modules keep (memberships, outbox, ...) their PersonalRecords add; none here.
        assertThat(doc.has("memberships")).isFalse();
        assertThat(doc.has("outbox")).isFalse();
        assertThat(doc.get("ledger")).hasSize(cdp.profiles().ledger(p.id()).size());
        assertThat(doc.get("ledger")).isNotEmpty();
        List<String> ops = new ArrayList<>();
        doc.get("audit").forEach(a -> ops.add(a.get("operation").asText()));
        assertThat(ops).containsExactly("consent", "consent");
        assertThat(cdp.privacy().audit(0, 100)).last()
            .satisfies(a -> assertThat(a.operation()).isEqualTo("export"));
      }
    }

    @Test
    @DisplayName("an unknown identifier gives nothing, and the request is still audited")
    void unknown() {
      try (Cdp cdp = cdp()) {
        assertThat(cdp.privacy().export(Identifier.email("nobody@x.test"))).isEmpty();
        assertThat(cdp.privacy().audit(0, 10)).singleElement().satisfies(a -> {
          assertThat(a.operation()).isEqualTo("export");
          assertThat(a.profile()).isNull();
          assertThat(a.detail()).contains("\"found\":0");
        });
      }
    }
  }

  @Nested
  @DisplayName("audit log")
  class Audit {
    @Test
    @DisplayName("export, erase, unmerge, consent and purge append lines free of personal data")
    void everyOperation() {
      try (Cdp cdp = cdp()) {
        cdp.ingest(Event.identify().messageId("m1").userId("C-1").anonymousId("anon-77")
            .trait("email", "jane@x.test").consent("marketing", "sms", true)
            .timestamp(T0.minus(Duration.ofDays(2))).build());
        List<AuditEntry> first = cdp.privacy().audit(0, 100);
        cdp.profiles().unmerge(Identifier.customerId("C-1"), Identifier.anonymousId("anon-77"));
        cdp.privacy().export(Identifier.customerId("C-1"));
        cdp.privacy().purge(RetentionPolicy.builder().otherwise(Duration.ofDays(365)).build(),
            PurgeListener.none());
        cdp.privacy().erase(Identifier.customerId("C-1"));

        List<AuditEntry> log = cdp.privacy().audit(0, 100);
        assertThat(log).extracting(AuditEntry::operation)
            .containsExactly("consent", "unmerge", "export", "purge", "erase");
        assertThat(log).extracting(AuditEntry::seq).isSorted().doesNotHaveDuplicates();
        assertThat(log.subList(0, first.size())).isEqualTo(first);
        assertThat(log.get(0).detail()).contains("\"purpose\":\"marketing\"",
            "\"channel\":\"sms\"", "\"granted\":true");
        assertThat(log.get(4).detail()).contains("\"events\":1");
        for (AuditEntry a : log) {
          assertThat(a.toString()).doesNotContain("C-1", "jane", "anon-77");
        }
        assertThat(cdp.privacy().audit(log.get(2).seq(), 2)).extracting(AuditEntry::operation)
            .containsExactly("purge", "erase");
        assertThatThrownBy(() -> cdp.privacy().audit(0, 0))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("limit");
      }
    }
  }

  @Test
  @DisplayName("privacyKey: too short or set twice is refused")
  void keyChecks() {
    assertThatThrownBy(() -> Cdp.builder().privacyKey(new byte[8]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("16 bytes");
    assertThatThrownBy(() -> Cdp.builder().privacyKey(KEY).privacyKey(KEY))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("already set");
    assertThat(Set.of(IngestResult.Status.values())).contains(IngestResult.Status.ERASED);
  }
}
