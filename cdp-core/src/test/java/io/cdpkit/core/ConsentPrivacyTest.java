package io.cdpkit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.core.model.ConsentChange;
import io.cdpkit.core.model.ConsentProof;
import io.cdpkit.core.model.ConsentRecord;
import io.cdpkit.core.model.ConsentStatus;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.LawfulBasis;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.model.ProfileState;
import io.cdpkit.core.model.WorkspaceId;
import io.cdpkit.core.spi.storage.AuditEntry;
import io.cdpkit.core.spi.storage.PrivacyStorage;
import io.cdpkit.core.spi.storage.Store;
import io.cdpkit.core.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Consent evidence and history, restriction of processing, rectification. */
class ConsentPrivacyTest {
  static final Instant T = Instant.parse("2026-03-01T10:00:00Z");
  static final Identifier JANE = Identifier.customerId("C-1");

  final MutableClock clock = new MutableClock(T.plus(Duration.ofDays(1)));
  final Store store = Store.inMemory();
  final Cdp cdp = Cdp.builder().store(store).clock(clock).sourcePriority("crm", 10).build();

  @AfterEach
  void close() {
    cdp.close();
    store.close();
  }

  Profile jane() {
    return cdp.profiles().find(JANE).orElseThrow();
  }

  /** The audit log without the lines every consent-carrying event appends. */
  List<AuditEntry> audit() {
    return store.read(WorkspaceId.DEFAULT, tx -> tx.require(PrivacyStorage.class).audit(0, 100))
        .stream()
        .filter(a -> !a.operation().equals("consent")).toList();
  }

  static ConsentChange evidence(boolean granted, Instant expiresAt) {
    return ConsentChange.builder("marketing", "email", granted)
        .basis(LawfulBasis.CONSENT).source("webshop-checkout").policyVersion("2026-01")
        .proof(new ConsentProof("checkout-optin-v2", "doi-7f3a9c", T.plusSeconds(60)))
        .expiresAt(expiresAt).build();
  }

  void consent(String messageId, Instant at, ConsentChange c) {
    cdp.ingest(Event.identify().messageId(messageId).userId("C-1").consent(c).timestamp(at)
        .build());
  }

  @Nested
  @DisplayName("consent evidence")
  class Evidence {
    @Test
    @DisplayName("the codec reads and writes every field, and older JSON without them reads with"
        + " basis consent")
    void wire() {
      String body = "{\"type\":\"identify\",\"messageId\":\"m1\",\"userId\":\"C-1\","
          + "\"timestamp\":\"2026-03-01T10:00:00Z\",\"consent\":["
          + "{\"purpose\":\"marketing\",\"channel\":\"email\",\"granted\":true,"
          + "\"basis\":\"legitimate_interests\",\"source\":\"pos\",\"policyVersion\":\"7\","
          + "\"proof\":{\"formId\":\"f-1\",\"reference\":\"doi-1\","
          + "\"confirmedAt\":\"2026-03-01T10:05:00Z\"},\"expiresAt\":\"2027-03-01T00:00:00Z\"},"
          + "{\"purpose\":\"marketing\",\"channel\":\"sms\",\"granted\":false}]}";
      assertThat(cdp.ingestJson(body.getBytes(StandardCharsets.UTF_8)).stored()).isEqualTo(1);
      ProfileState.ConsentValue v = jane().state().consents()
          .get(new io.cdpkit.core.model.ConsentKey("marketing", "email"));
      assertThat(v.basis()).isEqualTo(LawfulBasis.LEGITIMATE_INTERESTS);
      assertThat(v.source()).isEqualTo("pos");
      assertThat(v.policyVersion()).isEqualTo("7");
      assertThat(v.proof()).isEqualTo(new ConsentProof("f-1", "doi-1",
          Instant.parse("2026-03-01T10:05:00Z")));
      assertThat(v.expiresAt()).isEqualTo(Instant.parse("2027-03-01T00:00:00Z"));
      List<ConsentRecord> h = cdp.profiles().consentHistory(jane().id());
      assertThat(h).hasSize(2);
      assertThat(h.get(1).change()).isEqualTo(new ConsentChange("marketing", "sms", false));
      assertThat(h.get(1).change().basis()).isEqualTo(LawfulBasis.CONSENT);
      // The stored event (written by the codec, read back) keeps the evidence.
      assertThat(cdp.profiles().events(jane().id()).get(0).consents().get(0))
          .isEqualTo(h.get(0).change());
    }

    @Test
    @DisplayName("bad evidence is refused with the JSON pointer of the field")
    void pointers() {
      String[][] cases = {
          {"\"basis\":\"because\"", "/consent/0/basis"},
          {"\"basis\":3", "/consent/0/basis"},
          {"\"source\":\" \"", "/consent/0/source"},
          {"\"source\":\"" + "s".repeat(101) + "\"", "/consent/0/source"},
          {"\"policyVersion\":\"a\\u0007\"", "/consent/0/policyVersion"},
          {"\"proof\":{}", "/consent/0/proof"},
          {"\"proof\":\"doi\"", "/consent/0/proof"},
          {"\"proof\":{\"formId\":\"" + "f".repeat(201) + "\"}", "/consent/0/proof/formId"},
          {"\"proof\":{\"confirmedAt\":\"yesterday\"}", "/consent/0/proof/confirmedAt"},
          {"\"expiresAt\":\"2027-13-01\"", "/consent/0/expiresAt"},
      };
      for (String[] c : cases) {
        String body = "{\"type\":\"identify\",\"messageId\":\"m1\",\"userId\":\"C-1\","
            + "\"consent\":[{\"purpose\":\"marketing\",\"channel\":\"email\",\"granted\":true,"
            + c[0] + "}]}";
        BatchResult r = cdp.ingestJson(body.getBytes(StandardCharsets.UTF_8));
        assertThat(r.results().get(0).rejection()).as(c[0])
            .hasValueSatisfying(e -> assertThat(e.pointer()).isEqualTo(c[1]));
      }
    }

    @Test
    @DisplayName("an expired grant is not reported as granted; the status tells the cases apart")
    void expiry() {
      consent("m1", T, evidence(true, T.plus(Duration.ofDays(30))));
      assertThat(jane().consent("marketing", "email")).contains(true);
      assertThat(jane().consentStatus("marketing", "email")).isEqualTo(ConsentStatus.GRANTED);
      clock.set(T.plus(Duration.ofDays(30)));
      assertThat(jane().consent("marketing", "email")).contains(false);
      assertThat(jane().consents()).containsValue(false);
      assertThat(jane().consentStatus("marketing", "email")).isEqualTo(ConsentStatus.EXPIRED);
      assertThat(jane().consentStatus("marketing", "email", T)).isEqualTo(ConsentStatus.GRANTED);
      assertThat(jane().consentStatus("marketing", "sms")).isEqualTo(ConsentStatus.NONE);
      consent("m2", T.plusSeconds(1), evidence(false, T.plus(Duration.ofDays(90))));
      assertThat(jane().consentStatus("marketing", "email")).isEqualTo(ConsentStatus.DENIED);
    }

    @Test
    @DisplayName("the three-argument constructor is a decision without evidence")
    void plainConstructor() {
      ConsentChange c = new ConsentChange("marketing", "email", true);
      assertThat(c.basis()).isEqualTo(LawfulBasis.CONSENT);
      assertThat(c.source()).isNull();
      assertThat(c.proof()).isNull();
      assertThat(c.expiresAt()).isNull();
      assertThatThrownBy(() -> ConsentChange.builder("marketing", "email", true).source("a")
          .source("b")).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("source was already set");
    }
  }

  @Nested
  @DisplayName("consent history")
  class History {
    @Test
    @DisplayName("what consent did we hold when the e-mail went out: the decision in force then,"
        + " also when a decision stamped earlier was recorded later")
    void consentAt() {
      clock.set(T.plus(Duration.ofDays(5))); // every decision below is received after its time
      consent("grant", T, evidence(true, T.plus(Duration.ofDays(10))));
      consent("deny", T.plus(Duration.ofDays(2)), new ConsentChange("marketing", "email", false));
      consent("regrant", T.plus(Duration.ofDays(4)), new ConsentChange("marketing", "email",
          true));
      // recorded last, stamped first: a denial an hour after the grant
      consent("late", T.plusSeconds(3600), new ConsentChange("marketing", "email", false));
      ProfileId id = jane().id();
      assertThat(cdp.profiles().consentHistory(id)).extracting(ConsentRecord::messageId)
          .containsExactly("grant", "late", "deny", "regrant");
      ConsentRecord.ConsentInForce before = cdp.profiles().consentAt(id, "marketing", "email",
          T.minusSeconds(1));
      assertThat(before.status()).isEqualTo(ConsentStatus.NONE);
      assertThat(before.decision()).isNull();
      ConsentRecord.ConsentInForce atGrant = cdp.profiles().consentAt(id, "marketing", "email",
          T.plusSeconds(10));
      assertThat(atGrant.status()).isEqualTo(ConsentStatus.GRANTED);
      assertThat(atGrant.decision().change().proof().reference()).isEqualTo("doi-7f3a9c");
      assertThat(cdp.profiles().consentAt(id, "marketing", "email", T.plusSeconds(3600))
          .decision().messageId()).isEqualTo("late");
      assertThat(cdp.profiles().consentAt(id, "marketing", "email", T.plus(Duration.ofDays(5)))
          .status()).isEqualTo(ConsentStatus.GRANTED);
      assertThat(cdp.profiles().consentAt(id, "marketing", "sms", T.plus(Duration.ofDays(5)))
          .status()).isEqualTo(ConsentStatus.NONE);
    }

    @Test
    @DisplayName("a grant whose expiry passed by the instant asked about is reported expired")
    void expiredAt() {
      consent("grant", T, evidence(true, T.plus(Duration.ofDays(10))));
      ProfileId id = jane().id();
      assertThat(cdp.profiles().consentAt(id, "marketing", "email", T.plus(Duration.ofDays(10)))
          .status()).isEqualTo(ConsentStatus.EXPIRED);
      assertThat(cdp.profiles().consentAt(id, "marketing", "email",
          T.plus(Duration.ofDays(10)).minusNanos(1)).status()).isEqualTo(ConsentStatus.GRANTED);
    }

    @Test
    @DisplayName("the history follows merges: the decisions of both profiles, in time order")
    void followsMerges() {
      consent("a", T.plusSeconds(5), new ConsentChange("marketing", "email", true));
      cdp.ingest(Event.identify().messageId("b").anonymousId("anon-1")
          .consent("marketing", "sms", false).timestamp(T).build());
      cdp.ingest(Event.alias("anon-1").messageId("link").userId("C-1")
          .timestamp(T.plusSeconds(9)).build());
      assertThat(cdp.profiles().consentHistory(jane().id())).extracting(ConsentRecord::messageId)
          .containsExactly("b", "a");
      assertThat(cdp.profiles().consentHistory(ProfileId.of("no-such-profile"))).isEmpty();
    }
  }

  @Nested
  @DisplayName("restriction of processing")
  class Restriction {
    @Test
    @DisplayName("restrict and lift set the flag, each with an audit line without personal data")
    void restrictAndLift() {
      consent("m1", T, new ConsentChange("marketing", "email", true));
      long eventsBefore = jane().eventCounts().values().stream().mapToLong(Long::longValue).sum();
      ProfileId id = cdp.profiles().restrict(Identifier.customerId(" C-1 "), "accuracy-contested");
      assertThat(id).isEqualTo(jane().id());
      assertThat(jane().restricted()).isTrue();
      // the restriction is no activity of the person
      assertThat(jane().eventCounts().values().stream().mapToLong(Long::longValue).sum())
          .isEqualTo(eventsBefore);
      assertThat(jane().lastSeen()).contains(T);
      cdp.profiles().liftRestriction(JANE, "accuracy-verified");
      assertThat(jane().restricted()).isFalse();
      List<AuditEntry> log = audit();
      assertThat(log).extracting(AuditEntry::operation).containsExactly("restrict", "unrestrict");
      assertThat(log.get(0).profile()).isEqualTo(id);
      assertThat(log.get(0).detail()).isEqualTo("{\"reason\":\"accuracy-contested\"}");
      assertThat(log.get(1).detail()).isEqualTo("{\"reason\":\"accuracy-verified\"}");
      assertThat(log.toString()).doesNotContain("C-1");
    }

    @Test
    @DisplayName("a lift at the same clock instant as the restriction still lifts it")
    void liftAtSameInstant() {
      consent("m1", T, new ConsentChange("marketing", "email", true));
      cdp.profiles().restrict(JANE, "objection");
      cdp.profiles().liftRestriction(JANE, "objection-rejected");
      assertThat(jane().restricted()).isFalse();
      cdp.profiles().restrict(JANE, "objection");
      assertThat(jane().restricted()).isTrue();
    }

    @Test
    @DisplayName("unknown identifiers and free-text reasons are refused, nothing is stored")
    void refused() {
      consent("m1", T, new ConsentChange("marketing", "email", true));
      assertThatThrownBy(() -> cdp.profiles().restrict(Identifier.customerId("C-2"), "x"))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown identifier")
          .hasMessageNotContaining("C-2");
      assertThatThrownBy(() -> cdp.profiles().restrict(JANE, "Jane asked by phone"))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reasonCode");
      assertThat(audit()).isEmpty();
      assertThat(jane().restricted()).isFalse();
    }

    @Test
    @DisplayName("clients cannot send CDPKit's own events: the reserved source is refused")
    void reservedSource() {
      assertThatThrownBy(() -> cdp.ingest(Event.track("Processing Restriction Lifted")
          .messageId("forged").userId("C-1").source("cdp.restriction").build()))
          .isInstanceOf(InvalidEventException.class)
          .satisfies(e -> assertThat(((InvalidEventException) e).pointer())
              .isEqualTo("/context/source"));
      assertThatThrownBy(() -> Cdp.builder().sourcePriority("cdp.rectification", 1))
          .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("merging a restricted and an unrestricted profile gives a restricted one; the"
        + " unmerge gives each its own state back")
    void mergeAndUnmerge() {
      consent("m1", T, new ConsentChange("marketing", "email", true));
      cdp.ingest(Event.identify().messageId("m2").anonymousId("anon-1").trait("city", "Breda")
          .timestamp(T).build());
      cdp.profiles().restrict(JANE, "objection");
      cdp.ingest(Event.alias("anon-1").messageId("link").userId("C-1")
          .timestamp(T.plusSeconds(9)).build());
      assertThat(jane().restricted()).isTrue();
      assertThat(cdp.profiles().find(Identifier.anonymousId("anon-1")).orElseThrow().id())
          .isEqualTo(jane().id());
      cdp.profiles().unmerge(JANE, Identifier.anonymousId("anon-1"));
      assertThat(jane().restricted()).isTrue();
      assertThat(cdp.profiles().find(Identifier.anonymousId("anon-1")).orElseThrow()
          .restricted()).isFalse();
    }
  }

  @Nested
  @DisplayName("rectification")
  class Rectification {
    @Test
    @DisplayName("the correction wins over the values it corrects, also over one stamped later"
        + " than the clock and one recorded later but stamped earlier; audited with names only")
    void correctionWins() {
      Instant future = clock.instant().plusSeconds(3600);
      cdp.ingest(Event.identify().messageId("m1").userId("C-1").trait("city", "Bredaa")
          .trait("tier", "gold").source("crm").timestamp(future).build());
      Map<String, Object> fix = new LinkedHashMap<>();
      fix.put("city", "Breda");
      fix.put("nickname", null);
      cdp.profiles().rectify(JANE, fix, "art16-request");
      assertThat(jane().trait("city")).contains("Breda");
      assertThat(jane().trait("tier")).contains("gold");
      // a late event stamped before the correction
      cdp.ingest(Event.identify().messageId("m0").userId("C-1").trait("city", "Bredda")
          .source("crm").timestamp(T).build());
      assertThat(jane().trait("city")).contains("Breda");
      AuditEntry line = audit().get(0);
      assertThat(line.operation()).isEqualTo("rectify");
      assertThat(line.profile()).isEqualTo(jane().id());
      assertThat(line.detail())
          .isEqualTo("{\"reason\":\"art16-request\",\"traits\":[\"city\",\"nickname\"]}");
      assertThat(line.detail()).doesNotContain("Breda");
    }

    @Test
    @DisplayName("the correction survives a merge with a profile holding an older value, and"
        + " the unmerge that recomputes the profile; newer data wins as usual")
    void survivesMergeAndRecompute() {
      cdp.ingest(Event.identify().messageId("m1").userId("C-1").trait("city", "Bredaa")
          .timestamp(T).build());
      cdp.profiles().rectify(JANE, Map.of("city", "Breda"), "art16-request");
      cdp.ingest(Event.identify().messageId("m2").anonymousId("anon-1").trait("city", "Tilburg")
          .source("crm").timestamp(T.plusSeconds(60)).build());
      cdp.ingest(Event.alias("anon-1").messageId("link").userId("C-1")
          .timestamp(T.plusSeconds(90)).build());
      assertThat(jane().trait("city")).contains("Breda");
      cdp.profiles().unmerge(JANE, Identifier.anonymousId("anon-1"));
      assertThat(jane().trait("city")).contains("Breda");
      clock.advance(Duration.ofMinutes(1));
      cdp.ingest(Event.identify().messageId("m3").userId("C-1").trait("city", "Utrecht")
          .timestamp(clock.instant()).build());
      assertThat(jane().trait("city")).contains("Utrecht");
    }

    @Test
    @DisplayName("bad arguments are refused before anything is stored")
    void refused() {
      cdp.ingest(Event.identify().messageId("m1").userId("C-1").timestamp(T).build());
      assertThatThrownBy(() -> cdp.profiles().rectify(JANE, Map.of(), "x"))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("traits");
      assertThatThrownBy(() -> cdp.profiles().rectify(JANE, Map.of("n".repeat(101), 1), "x"))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("traits");
      assertThatThrownBy(() -> cdp.profiles().rectify(JANE, Map.of("a", new Object()), "x"))
          .isInstanceOf(InvalidEventException.class);
      assertThat(audit()).isEmpty();
    }
  }
}
