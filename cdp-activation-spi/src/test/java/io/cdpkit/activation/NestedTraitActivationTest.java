package io.cdpkit.activation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdpkit.activation.channels.FileExportChannelProvider;
import io.cdpkit.core.Cdp;
import io.cdpkit.core.model.Channels;
import io.cdpkit.core.model.Event;
import io.cdpkit.core.model.ProfileId;
import io.cdpkit.core.testing.MutableClock;
import io.cdpkit.core.traits.TraitMapping;
import io.cdpkit.segmentation.Segmentation;
import io.cdpkit.segmentation.definition.Conditions;
import io.cdpkit.segmentation.definition.SegmentDefinition;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nested traits in templates and in the file export a direct mailing uses: the bug was that
 * {@code {{trait.address.street}}} suppressed every message as a missing field, so the postal
 * export wrote nothing.
 */
class NestedTraitActivationTest {
  static final Instant NOW = Instant.parse("2026-03-15T10:00:00Z");

  @TempDir
  Path dir;

  static Map<String, Object> address(String street, String city) {
    Map<String, Object> a = new LinkedHashMap<>();
    a.put("street", street);
    a.put("postalCode", "3511 AB");
    a.put("city", city);
    a.put("country", "NL");
    return a;
  }

  @Test
  @DisplayName("bug: {{trait.address.street}} suppressed the message; a template renders nested"
      + " trait values, through a list with [] too")
  void templateRendersNestedTraits() {
    Template t = Template.parse("{\"street\": \"{{trait.address.street}}\","
        + " \"line\": \"{{trait.address.postalCode}} {{trait.address.city}}\","
        + " \"second\": \"{{trait.addresses[].city|none}}\"}");
    Map<String, Object> traits = Map.of("address", address("Oudegracht 1", "Utrecht"),
        "addresses", List.of(Map.of("city", "Delft")));
    Map<String, Object> out = t.render(path -> path.startsWith("trait.")
        ? Optional.ofNullable(io.cdpkit.core.traits.TraitPath.parse(path.substring(6))
            .valuesOf(traits).stream().findFirst().orElse(null))
        : Optional.empty());
    assertThat(out).containsExactly(Map.entry("street", "Oudegracht 1"),
        Map.entry("line", "3511 AB Utrecht"), Map.entry("second", "Delft"));
    assertThatThrownBy(() -> Template.parse("{\"x\": \"{{trait.address..street}}\"}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("template/x: bad trait path in 'trait.address..street'")
        .hasMessageContaining("empty key");
    assertThatThrownBy(() -> Template.parse("{\"x\": \"{{trait.a.b.c.d.e.f.g.h.i}}\"}"))
        .hasMessageContaining("more than 8 keys");
  }

  @Test
  @DisplayName("the direct-mail file export writes the nested address fields of the people in"
      + " a segment on address.city; a non-map address suppresses with the missing field named")
  void directMailExportWritesNestedAddress() throws Exception {
    Path file = dir.resolve("mailing.csv");
    Activation activation = Activation.builder()
        .channel("post", new FileExportChannelProvider(), Map.of("path", file.toString(),
            "format", "csv", "columns", "name,street,postalCode,city,country,tier",
            "consent-channel", Channels.DIRECT_MAIL))
        .rule(Rule.builder("utrecht-mailing").trigger(Trigger.segmentEntered("utrecht"))
            .channel("post").purpose("marketing").template(Template.parse(
                "{\"name\": \"{{trait.name}}\", \"street\": \"{{trait.address.street}}\","
                    + " \"postalCode\": \"{{trait.address.postalCode}}\","
                    + " \"city\": \"{{trait.address.city}}\","
                    + " \"country\": \"{{trait.address.country}}\","
                    + " \"tier\": \"{{trait.tier|}}\"}"))
            .build())
        .rule(Rule.builder("street-check").trigger(Trigger.segmentEntered("named"))
            .channel("post").purpose("marketing").template(Template.parse(
                "{\"street\": \"{{trait.address.street}}\"}"))
            .build())
        .build();
    Segmentation seg = Segmentation.builder().build();
    TraitMapping mapping = TraitMapping.builder()
        .property("Order Completed", "shipping", "address").build();
    try (Cdp cdp = Cdp.builder().clock(new MutableClock(NOW)).extension(seg)
        .extension(activation).traitMapping(mapping).build()) {
      seg.segments().save(SegmentDefinition.builder("utrecht")
          .where(Conditions.trait("address.city").eq("Utrecht")).build());
      seg.segments().save(SegmentDefinition.builder("named")
          .where(Conditions.trait("name").eq("Bo")).build());
      for (String c : List.of("c1", "c2", "c3")) {
        cdp.ingest(Event.track("Consent Changed").messageId("consent-" + c).userId(c)
            .consent("marketing", Channels.DIRECT_MAIL, true).timestamp(NOW).build());
      }
      cdp.ingest(Event.identify().messageId("i1").userId("c1").trait("name", "Ada, L.")
          .trait("address", address("Oudegracht 1", "Utrecht")).timestamp(NOW).build());
      // c2's address comes from an order's shipping address, through the mapping.
      cdp.ingest(Event.identify().messageId("i2").userId("c2").trait("name", "Cy")
          .timestamp(NOW).build());
      cdp.ingest(Event.track("Order Completed").messageId("o2").userId("c2")
          .property("order_id", "O2").property("shipping", address("Neude 5", "Utrecht"))
          .timestamp(NOW).build());
      // c3's address is one line of text: the street cannot be read.
      cdp.ingest(Event.identify().messageId("i3").userId("c3").trait("name", "Bo")
          .trait("address", "Neude 9, Utrecht").timestamp(NOW).build());
      activation.drain();

      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      assertThat(lines.get(0)).isEqualTo("name,street,postalCode,city,country,tier");
      assertThat(lines.subList(1, lines.size())).containsExactlyInAnyOrder(
          "\"Ada, L.\",Oudegracht 1,3511 AB,Utrecht,NL,",
          "Cy,Neude 5,3511 AB,Utrecht,NL,");
      ProfileId c3 = cdp.profiles().find(io.cdpkit.core.model.Identifier.customerId("c3"))
          .orElseThrow().id();
      assertThat(activation.deliveries(c3)).singleElement()
          .satisfies(d -> assertThat(d.reason()).isEqualTo("missing-field:trait.address.street"));
    } finally {
      activation.close();
    }
  }
}
