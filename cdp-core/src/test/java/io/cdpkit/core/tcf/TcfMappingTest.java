package io.cdpkit.core.tcf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.core.model.ConsentChange;
import io.cdpkit.core.model.Event;
import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class TcfMappingTest {
  /** IAB vector 2: purposes 3-9 consented; vendors 23, 37, 47, 48, 53, 65, 98. */
  private static final String PURPOSES_3_TO_9 =
      "COrEAV4OrXx94ACABBENAHCIAD-AAAAAAACAAxAAAAgAIAwgAgAAAAEAgQAAAAAEAYQAQAAAACAAAABAAA";
  /** IAB vector 1: purposes 2 and 10 consented, purpose one treatment, no vendors. */
  private static final String PURPOSES_2_10 = "COtybn4PA_zT4KjACBENAPCIAEBAAECAAIAAAAAAAAAA";
  /** IAB vector 4: vector 2 plus disclosed, allowed vendors and a publisher TC segment. */
  private static final String ALL_PARTS = PURPOSES_3_TO_9
      + ".IBAgAAAgAIAwgAgAAAAEAAAACA.QAagAQAgAIAwgA.cAAAAAAAITg=";

  private static TcString only(int... purposes) {
    return TcString.builder().purposesConsent(IdSet.of(purposes)).build();
  }

  @Test
  @DisplayName("defaults: the four documented rules, granted by purposes 3-9")
  void defaultsGranted() {
    List<ConsentChange> changes =
        TcfMapping.defaults().consentChanges(TcString.decode(PURPOSES_3_TO_9));
    assertThat(changes).containsExactly(
        new ConsentChange("marketing", "ads", true),
        new ConsentChange("personalisation", "web", true),
        new ConsentChange("analytics", "web", true),
        new ConsentChange("analytics", "ads", true));
  }

  @Test
  @DisplayName("defaults: purposes 2 and 10 grant nothing, and every rule says denied")
  void defaultsDenied() {
    assertThat(TcfMapping.defaults().consentChanges(TcString.decode(PURPOSES_2_10)))
        .extracting(ConsentChange::granted).containsExactly(false, false, false, false);
  }

  @Test
  @DisplayName("a rule needs every TCF purpose it names: 3 without 4 is no marketing on ads")
  void everyPurposeNeeded() {
    List<ConsentChange> changes = TcfMapping.defaults().consentChanges(only(3, 5, 6, 8));
    assertThat(changes).containsExactly(
        new ConsentChange("marketing", "ads", false),
        new ConsentChange("personalisation", "web", true),
        new ConsentChange("analytics", "web", false),
        new ConsentChange("analytics", "ads", false));
  }

  @Test
  @DisplayName("legitimate interest never grants consent")
  void legitimateInterestIsNotConsent() {
    TcString t = TcString.builder().purposesLITransparency(IdSet.of(3, 4, 5, 6, 7, 8, 9))
        .build();
    assertThat(TcfMapping.defaults().consentChanges(t)).noneMatch(ConsentChange::granted);
  }

  @Test
  @DisplayName("with the host's vendor id, that vendor's consent is needed too")
  void vendorConsentNeeded() {
    TcString t = TcString.decode(PURPOSES_3_TO_9);
    assertThat(TcfMapping.builder().defaultRules().vendorId(23).build().consentChanges(t))
        .allMatch(ConsentChange::granted);
    assertThat(TcfMapping.builder().defaultRules().vendorId(24).build().consentChanges(t))
        .noneMatch(ConsentChange::granted);
  }

  @Test
  @DisplayName("a publisher restriction against the vendor on a needed purpose denies the rule")
  void publisherRestrictions() {
    TcString base = only(3, 4, 5, 6, 7, 8, 9).toBuilder().vendorConsents(IdSet.of(23)).build();
    TcfMapping m = TcfMapping.builder().defaultRules().vendorId(23).build();
    for (PublisherRestriction.Type type : PublisherRestriction.Type.values()) {
      TcString t = base.toBuilder()
          .publisherRestriction(new PublisherRestriction(4, type, IdSet.of(20, 23)))
          .build();
      boolean denied = type == PublisherRestriction.Type.NOT_ALLOWED
          || type == PublisherRestriction.Type.REQUIRE_LEGITIMATE_INTEREST;
      assertThat(m.consentChanges(t)).as(type.name()).containsExactly(
          new ConsentChange("marketing", "ads", !denied),
          new ConsentChange("personalisation", "web", true),
          new ConsentChange("analytics", "web", true),
          new ConsentChange("analytics", "ads", true));
    }
    TcString otherVendor = base.toBuilder().publisherRestriction(new PublisherRestriction(4,
        PublisherRestriction.Type.NOT_ALLOWED, IdSet.of(24))).build();
    assertThat(m.consentChanges(otherVendor)).allMatch(ConsentChange::granted);
  }

  @Test
  @DisplayName("purpose 1 counts as given when purpose one treatment says it was not disclosed")
  void purposeOneTreatment() {
    TcfMapping m = TcfMapping.builder().rule("analytics", "web", 1, 8).build();
    assertThat(m.consentChanges(only(8))).extracting(ConsentChange::granted).containsExactly(false);
    assertThat(m.consentChanges(only(8).toBuilder().purposeOneTreatment(true).build()))
        .extracting(ConsentChange::granted).containsExactly(true);
    assertThat(m.consentChanges(only(1, 8))).extracting(ConsentChange::granted)
        .containsExactly(true);
  }

  @Test
  @DisplayName("publisher purposes read the publisher TC segment; without it nothing is granted")
  void publisherPurposes() {
    TcString all = TcString.decode(ALL_PARTS);
    IdSet pub = all.publisherTc().orElseThrow().pubPurposesConsent();
    assertThat(pub.size()).isEqualTo(1);
    int p = pub.stream().findFirst().orElseThrow();
    TcfMapping m = TcfMapping.builder().publisherPurposes().rule("analytics", "web", p)
        .rule("marketing", "email", p, p == 1 ? 2 : 1).build();
    assertThat(m.consentChanges(all)).containsExactly(
        new ConsentChange("analytics", "web", true),
        new ConsentChange("marketing", "email", false));
    assertThat(m.consentChanges(TcString.decode(PURPOSES_3_TO_9)))
        .noneMatch(ConsentChange::granted);
  }

  @Test
  @DisplayName("addTo puts the decisions on the event builder in one call")
  void addTo() {
    TcString t = TcString.decode(PURPOSES_3_TO_9);
    TcfMapping m = TcfMapping.defaults();
    Event e = m.addTo(Event.track("Consent Updated").messageId("m-1").anonymousId("a-1"), t)
        .build();
    assertThat(e.consents()).isEqualTo(m.consentChanges(t));
  }

  @Test
  @DisplayName("builder: each wrong setting is refused at once, naming it")
  void builderErrors() {
    assertThatThrownBy(() -> TcfMapping.builder().defaultRules().rule("marketing", "ads", 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("marketing/ads");
    assertThatThrownBy(() -> TcfMapping.builder().rule("Marketing", "ads", 1))
        .hasMessageStartingWith("purpose:");
    assertThatThrownBy(() -> TcfMapping.builder().rule("marketing", "Ads", 1))
        .hasMessageStartingWith("channel:");
    assertThatThrownBy(() -> TcfMapping.builder().rule("marketing", "ads"))
        .hasMessageStartingWith("tcfPurposes:");
    assertThatThrownBy(() -> TcfMapping.builder().rule("marketing", "ads", 25))
        .hasMessageStartingWith("tcfPurposes:");
    assertThatThrownBy(() -> TcfMapping.builder().vendorId(0))
        .hasMessageStartingWith("vendorId:");
    assertThatThrownBy(() -> TcfMapping.builder().vendorId(3).vendorId(4))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("already set to 3");
    assertThatThrownBy(() -> TcfMapping.builder().vendorId(3).publisherPurposes())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> TcfMapping.builder().publisherPurposes().vendorId(3))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> TcfMapping.builder().build())
        .isInstanceOf(IllegalStateException.class).hasMessageStartingWith("rules:");
  }

  @Property(tries = 300)
  @Label("a rule is granted exactly when every purpose it needs is consented to")
  void grantedIffEveryPurposeConsented(
      @ForAll @Size(max = 24) Set<@IntRange(min = 1, max = 24) Integer> consented,
      @ForAll @Size(min = 1, max = 5) Set<@IntRange(min = 1, max = 24) Integer> needed,
      @ForAll boolean purposeOneTreatment) {
    TcString t = TcString.builder().purposesConsent(IdSet.of(consented))
        .purposeOneTreatment(purposeOneTreatment).build();
    TcfMapping m = TcfMapping.builder().rule(new TcfMapping.Rule("custom", "web",
        IdSet.of(needed))).build();
    boolean expected = needed.stream()
        .allMatch(p -> consented.contains(p) || (p == 1 && purposeOneTreatment));
    assertThat(m.consentChanges(t)).containsExactly(new ConsentChange("custom", "web", expected));
  }
}
