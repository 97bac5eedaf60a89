package io.cdpkit.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.Identifier;
import io.cdpkit.core.model.Profile;
import io.cdpkit.core.testing.MutableClock;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * An address-level consent can name an address the profile does not hold: the event that
 * carried it also carried somebody else's e-mail, which the identity rules kept with its owner
 * (one customer id per profile). That profile's export must not disclose the address.
 */
class ExportAddressConsentTest {
  static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  static final ObjectMapper JSON = new ObjectMapper();

  @Test
  @DisplayName("regression (issue 15 item 5): an address-level consent for another person's"
      + " address is exported by type only")
  void otherPersonsAddressRedacted() throws Exception {
    try (Cdp cdp = Cdp.builder().clock(new MutableClock(T0.plusSeconds(3600))).build()) {
      cdp.ingest(Event.identify().messageId("m-1").userId("C-1")
          .trait("email", "bob.first@example.com").timestamp(T0).build());
      // C-2 types Bob's address into her own form and opts in: the e-mail stays Bob's.
      cdp.ingest(Event.identify().messageId("m-2").userId("C-2")
          .trait("email", "bob.first@example.com").consent("marketing", "email", true)
          .timestamp(T0.plusSeconds(60)).build());
      Profile bob = cdp.profiles().find(Identifier.customerId("C-1")).orElseThrow();
      Profile other = cdp.profiles().find(Identifier.customerId("C-2")).orElseThrow();
      assertThat(other.id()).isNotEqualTo(bob.id());
      assertThat(other.identifiers()).doesNotContain(Identifier.email("bob.first@example.com"));
      assertThat(other.state().addressConsents()).isNotEmpty(); // the case this test is about

      String export = cdp.privacy().export(Identifier.customerId("C-2")).orElseThrow();
      assertThat(export).doesNotContain("bob.first");
      JsonNode consents = JSON.readTree(export).path("profile").path("addressConsents");
      assertThat(consents).hasSize(1);
      assertThat(consents.get(0).path("address").path("type").asText()).isEqualTo("email");
      assertThat(consents.get(0).path("address").path("redacted").asBoolean()).isTrue();
      assertThat(consents.get(0).path("address").has("value")).isFalse();

      // Bob's own export keeps his address.
      assertThat(cdp.privacy().export(Identifier.customerId("C-1")).orElseThrow())
          .contains("bob.first@example.com");
    }
  }
}
